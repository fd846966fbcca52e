"""The text featurizer of sentiment-ngram, identical to stages/sentiment/text-featurizer.ts (a fixture proves it).

text -> (ids, weights): hashed word unigrams, word bigrams and character n-grams inside words; each block of
ids holds the kinds it names (the model normalises each block on its own); every id once, with its weight (term count, or 1 + ln count); ids block by block, in
order of first appearance, at most maxTokens of them. The rule is written out in models/sentiment-ngram/README.md.
"""
import math
import unicodedata

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193
MASK32 = 0xFFFFFFFF
KIND_LETTER = {'word': 'w', 'bigram': 'b', 'char': 'c'}

# The rule in one paragraph, for the model card.
RULE = ('text: lone UTF-16 surrogates -> U+FFFD, NFKC, lower-case (Python str.lower = JS toLowerCase, not casefold), '
        'U+03C2 final sigma -> U+03C3, ASCII digits -> 0 when digits is "zero"; words: maximal runs of word characters '
        '(ASCII letters and digits, and code points >= U+00C0 except U+00D7, U+00F7, U+2000-U+2BFF, U+2E00-U+2E7F, '
        'U+3000-U+303F, U+D800-U+DFFF, U+FE10-U+FE1F, U+FE30-U+FE6F, U+FF00-U+FF0F, U+FF1A-U+FF20, U+FF3B-U+FF40, '
        'U+FF5B-U+FF65, U+FFF0-U+FFFF); features: "w <word>", "b <word> <next word>", "c <n-gram>" for every code point '
        'n-gram of "<" + word + ">" with min <= n <= max; id = block offset + (FNV-1a 32-bit of the UTF-8 bytes of the '
        'feature string) mod block buckets, block offsets 1, 1 + buckets0, ...; each id once with weight count (tf '
        '"count") or 1 + ln count (tf "log"), ids block by block in order of first appearance, the first maxTokens kept')

# Code points from U+00C0 on that separate words (punctuation and symbol blocks), inclusive. Deliberately no
# Unicode property tables: Python and Node ship different Unicode versions.
SEPARATOR_RANGES = (
    (0x2000, 0x2BFF),  # general punctuation, super/subscripts, currency, letterlike, arrows, maths, symbols
    (0x2E00, 0x2E7F),  # supplemental punctuation
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xD800, 0xDFFF),  # surrogates (never present after well-forming)
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE6F),  # CJK compatibility forms, small form variants
    (0xFF00, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65),  # fullwidth punctuation
    (0xFFF0, 0xFFFF),  # specials, U+FFFD included
)


def fnv1a(data, h=FNV_OFFSET):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK32
    return h


def is_word_char(cp):
    """ASCII letters and digits, and every code point from U+00C0 on outside SEPARATOR_RANGES, × and ÷."""
    if cp < 0x80:
        return 0x30 <= cp <= 0x39 or 0x61 <= cp <= 0x7A or 0x41 <= cp <= 0x5A
    if cp < 0xC0 or cp == 0xD7 or cp == 0xF7:
        return False
    for lo, hi in SEPARATOR_RANGES:
        if lo <= cp <= hi:
            return False
    return True


def normalise(text, digits):
    """Well-formed (lone surrogates -> U+FFFD), NFKC, lower() (= JS toLowerCase, not casefold), ς -> σ, digits."""
    text = text.encode('utf-16-le', 'surrogatepass').decode('utf-16-le', 'replace')
    text = unicodedata.normalize('NFKC', text).lower().replace('\u03c2', '\u03c3')
    if digits == 'zero':
        text = ''.join('0' if '0' <= c <= '9' else c for c in text)
    return text


def tokens(text):
    out, cur = [], []
    for c in text:
        if is_word_char(ord(c)):
            cur.append(c)
        elif cur:
            out.append(''.join(cur))
            cur = []
    if cur:
        out.append(''.join(cur))
    return out


def kind_strings(kind, toks, block):
    """The texts of one kind's features, in order."""
    if kind == 'word':
        return toks
    if kind == 'bigram':
        return [a + ' ' + b for a, b in zip(toks, toks[1:])]
    out = []
    for t in toks:
        padded = '<' + t + '>'
        for n in range(block['min'], block['max'] + 1):
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


def block_offsets(cfg):
    """First id of each block: block k holds ids [offset_k, offset_k + buckets_k); id 0 is padding."""
    offsets, first = [], 1
    for block in cfg['blocks']:
        offsets.append(first)
        first += block['buckets']
    return offsets


def featurize(text, cfg):
    """-> (ids, weights)."""
    toks = tokens(normalise(text, cfg['digits']))
    counts = {}
    for block, offset in zip(cfg['blocks'], block_offsets(cfg)):
        mask = block['buckets'] - 1
        for kind in block['kinds']:
            prefix = fnv1a((KIND_LETTER[kind] + ' ').encode('utf-8'))
            for s in kind_strings(kind, toks, block):
                i = offset + (fnv1a(s.encode('utf-8'), prefix) & mask)
                counts[i] = counts.get(i, 0) + 1
    ids = list(counts)[:cfg['maxTokens']]
    if cfg['tf'] == 'log':
        return ids, [1.0 + math.log(counts[i]) for i in ids]
    return ids, [float(counts[i]) for i in ids]
