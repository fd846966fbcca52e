"""Builds the committed sentiment data from the project's shared copies (run once, by hand; nothing reads
/work/shared at run or test time):

  /usr/bin/python3 models/sentiment-data/build-data.py [SHARED_NEWS_DIR]

Writes, in this folder:
- financial-phrasebank.csv.gz: id,label,sentence (UTF-8; id = 0-based row of the source file)
- phrasebank-split.csv: id,split (train / validation / test), strict, seeded, stratified, duplicates kept together
- crypto-headlines-labelled.csv: headline,label,textblob_label,date,source,subject,url (labels: CRYPTO_LABELS below)
"""
import csv
import gzip
import io
import os
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/data/news'
PHRASEBANK = 'financial_phrasebank_all-data_ishu121992.csv'
CRYPTO = 'cryptonews_textblob_labels_clean.csv'
SEED = 7
FRACTIONS = (('train', 0.70), ('validation', 0.15), ('test', 0.15))
LABELS = ('negative', 'neutral', 'positive')


def duplicate_key(sentence):
    """Sentences equal up to case, spacing and punctuation are one group: they never cross splits."""
    return re.sub(r'[^a-z0-9]', '', unicodedata.normalize('NFKC', sentence).lower())


def phrasebank():
    # The source bytes are not UTF-8: they decode as Windows-1252 (its mojibake such as "+Æ" for "ä" is the
    # dataset's own and is kept as is).
    text = open(os.path.join(SHARED, PHRASEBANK), 'rb').read().decode('cp1252')
    rows = list(csv.reader(io.StringIO(text)))
    if rows[0] != ['label', 'news']:
        raise SystemExit('unexpected header %r' % rows[0])
    rows = [(i, label, sentence) for i, (label, sentence) in enumerate(rows[1:])]
    if len(rows) != 4846 or any(label not in LABELS for _, label, _ in rows):
        raise SystemExit('unexpected Financial PhraseBank content')
    return rows


def split(rows):
    groups = defaultdict(list)
    for i, label, sentence in rows:
        groups[duplicate_key(sentence)].append((i, label))
    # Stratify on the group's first label; groups are shuffled per label by one seeded generator, in a fixed order.
    by_label = defaultdict(list)
    for key in sorted(groups, key=lambda k: groups[k][0][0]):
        by_label[groups[key][0][1]].append(groups[key])
    rng = random.Random(SEED)
    assignment = {}
    for label in LABELS:
        members = by_label[label]
        rng.shuffle(members)
        n = len(members)
        cut_train = round(n * FRACTIONS[0][1])
        cut_val = cut_train + round(n * FRACTIONS[1][1])
        for j, group in enumerate(members):
            name = 'train' if j < cut_train else 'validation' if j < cut_val else 'test'
            for i, _ in group:
                assignment[i] = name
    return assignment


def write_phrasebank(rows, assignment):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator='\n')
    w.writerow(['id', 'label', 'sentence'])
    for i, label, sentence in rows:
        w.writerow([i, label, sentence])
    with open(os.path.join(HERE, 'financial-phrasebank.csv.gz'), 'wb') as f:
        # mtime 0: the same input gives the same bytes
        with gzip.GzipFile(fileobj=f, mode='wb', mtime=0, compresslevel=9, filename='') as gz:
            gz.write(buf.getvalue().encode('utf-8'))
    with open(os.path.join(HERE, 'phrasebank-split.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['id', 'split'])
        for i, _, _ in rows:
            w.writerow([i, assignment[i]])
    counts = Counter((assignment[i], label) for i, label, _ in rows)
    for name, _ in FRACTIONS:
        print(name, sum(v for (s, _), v in counts.items() if s == name), {l: counts[(name, l)] for l in LABELS})


# Labels by 0-based row of the source file, ten per group, read and decided one headline at a time by one annotator
# following the guidelines in README.md: n = negative, 0 = neutral, p = positive, x = not a headline (excluded:
# a bare URL, a fragment, a broken CSV cell).
CRYPTO_LABELS = (
    '0pnnnnnp0n 0ppp0npnpp 00p0pnpnp0 npn0nnpnnp pp0ppnpppp'  # 0-49
    ' npnppnp0pn ppxppp0npp p0ppnnppn0 nnn0pn0ppp ppnp0npn0n'  # 50-99
    ' n000np0n00 pppppx00n0 nnnnppp00p pnnnnpnpnp 0npn0ppppn'  # 100-149
    ' pp0p0pppnp 0nnpx0pnnp 0pnn0pnppn xnppppp0pn n0pnn00ppn'  # 150-199
    ' pp0nnp0pnp n0npn0nnp0 n0nnpxpppp 0pnnp0pnnx pnpppnpppn'  # 200-249
    ' pp0pn0nppp ppnxx0nnn0 nppnppnppp pppn000000 pn0pnnp0nn'  # 250-299
    ' 0n0p00p0pp nnnnnpnppp pp0pnpppp0 0np0000nnp npp0nppppp'  # 300-349
    ' 0pnn00ppp0 p0nnpxnppp p00pnn0p0p nnppn0'  # 350-385
).replace(' ', '')
LETTERS = {'n': 'negative', '0': 'neutral', 'p': 'positive'}
GLUED_URL = re.compile(r'\s*https?://\S+$')


def crypto():
    with open(os.path.join(SHARED, CRYPTO), newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    if len(rows) != len(CRYPTO_LABELS):
        raise SystemExit('%d crypto rows, %d labels' % (len(rows), len(CRYPTO_LABELS)))
    out = []
    for row, letter in zip(rows, CRYPTO_LABELS):
        if letter == 'x':
            continue
        # Three titles carry their article's URL glued to the end; the headline is what precedes it.
        headline = GLUED_URL.sub('', row['title'])
        # The source's URLs repeat the site prefix ("https://cryptonews.comhttps://cryptonews.com/news/...").
        url = re.sub(r'^(https://[^/]+)(?=https://)', '', row['url'])
        out.append([headline, LETTERS[letter], row['label'], row['date'], row['source'], row['subject'], url])
    with open(os.path.join(HERE, 'crypto-headlines-labelled.csv'), 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['headline', 'label', 'textblob_label', 'date', 'source', 'subject', 'url'])
        w.writerows(out)
    mine = Counter(r[1] for r in out)
    agree = sum(1 for r in out if r[1] == r[2])
    print('crypto', len(out), dict(mine), 'TextBlob agrees on %d' % agree)


def main():
    rows = phrasebank()
    write_phrasebank(rows, split(rows))
    crypto()


if __name__ == '__main__':
    main()
