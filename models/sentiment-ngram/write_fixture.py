"""The featurizer fixture: the Python featurizer's output for 1,000 texts, which stages/sentiment/text-featurizer.test.ts
compares with the TypeScript featurizer's (ids equal, weights within 1e-6).

Texts: 500 Financial PhraseBank sentences and 300 crypto headlines (seeded samples), 60 hand-written edge cases
(unicode, punctuation, numbers, empty-ish strings, lone surrogates) and 140 seeded random strings of code points
assigned in Unicode 14 (Python 3.11's tables; see README.md on Unicode versions). A second, small featurizer
configuration (tiny buckets that collide, tf "log", digits kept, three blocks, 40 tokens) runs over 250 of them.
"""
import gzip
import json
import os
import random
import unicodedata

import text_featurizer as tf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'stages', 'sentiment', 'text-featurizer.fixture.json.gz')
SEED = 7
VARIANT = {
    'name': 'hashed-ngrams', 'version': 1, 'digits': 'keep', 'tf': 'log', 'maxTokens': 40,
    'blocks': [{'kinds': ['word'], 'buckets': 16}, {'kinds': ['bigram'], 'buckets': 1024},
               {'kinds': ['char'], 'min': 1, 'max': 3, 'buckets': 4096}],
}

EDGE = [
    '', ' ', '\t\n\r', '...', '!!!???', '\u2014', '\u00a0', '\ufeff', '\u200b\u200d', '\x00\x01\x7f', '\x85\x9f',
    '$1,000,000.00', '12.5%', '-3.2 % y/y', '2023-12-19T06:40:00Z', '0x1F 1e-7 +44 20 7365 8427', '\uff11\uff12\uff13 \u2460\u2461 \u00bd x\u00b2',
    'Stra\u00dfe STRASSE strasse', '\u0130stanbul ISTANBUL', '\u03a3\u0391\u03a3 \u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3 \u03c3\u03bf\u03c6\u03cc\u03c2',
    '\ufb01nance \ufb02ow \ufb00', '\uff22\uff49\uff54\uff43\uff4f\uff49\uff4e', 'caf\u00e9 cafe\u0301', '\u212bngstr\u00f6m \u00c5ngstr\u00f6m',
    '\u01c4 \u01c5 \u01c6 \u01f0 \u0149', '\u13a0\u13a1 \uab70', '\u1c90\u1c91 \u10d0', 'K\u212a \u2126',
    '\U0001f680\U0001f680 to the moon \U0001f315', '\U0001f1fa\U0001f1f8 \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f44d\U0001f3fd',
    '\u6bd4\u7279\u5e01\u4ef7\u683c\u4e0a\u6da8\u3002', '\u0663 \u0628\u064a\u062a\u0643\u0648\u064a\u0646', '\u092c\u093f\u091f\u0915\u0949\u0907\u0928',
    '\u0411\u0438\u0442\u043a\u043e\u0438\u043d \u0432\u044b\u0440\u043e\u0441 \u043d\u0430 5%', '\u05d1\u05d9\u05d8\u05e7\u05d5\u05d9\u05df', '\u0e1a\u0e34\u0e15\u0e04\u0e2d\u0e22\u0e19\u0e4c',
    '\ud800abc', 'abc\udfff', '\udc00\ud800', 'x\ud83d\ude80y', 'it\u2019s it\'s it`s', '\u201cquoted\u201d \u00abguillemets\u00bb',
    'Sepp+\u00c6l+\u00c6 \'s sales', 'Concerning precedent\ufffd?\ufffd?', 'a' * 300, ' '.join('w%d' % i for i in range(400)),
    'UP UP up Up uP', 'profit profit profit loss', 'e-mail co-operate re-use', 'U.S. S&P 500 P/E', '#bitcoin @user http://x.y/z?q=1',
    '\u00d7\u00f7\u00b1', '\u2212\u2013\u2012', '\u3000\u3001\u3002', '\ufe50\ufe51', '\uff01\uff1f', '\U0001d400\U0001d41a', '\u2168 \u217b',
    '\u0345\u0399', '\u1e9e \u00df',
]

RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x52F), (0x1E00, 0x1FFF), (0x2000, 0x2BFF), (0x3000, 0x30FF),
          (0x4E00, 0x4E80), (0xFB00, 0xFB4F), (0xFE30, 0xFE6F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF)]


def random_strings(rng, n):
    out = []
    for _ in range(n):
        chars, length = [], rng.randint(1, 40)
        while len(chars) < length:
            lo, hi = rng.choice(RANGES)
            c = chr(rng.randint(lo, hi))
            if unicodedata.category(c) not in ('Cn', 'Cs', 'Co'):
                chars.append(c)
        out.append(''.join(chars))
    return out


def texts(data):
    rng = random.Random(SEED)
    phrasebank = [t for split in ('train', 'validation', 'test') for t in data[split][0]]
    picked = rng.sample(phrasebank, 500) + rng.sample(data['crypto'][0], 300)
    return picked + EDGE + random_strings(rng, 200 - len(EDGE))


def cases(items, cfg):
    out = []
    for t in items:
        ids, weights = tf.featurize(t, cfg)
        out.append({'text': t, 'ids': ids, 'weights': weights})
    return out


def write(data, featurizer):
    items = texts(data)
    assert len(items) == 1000
    doc = {'featurizer': featurizer, 'cases': cases(items, featurizer),
           'variant': {'featurizer': VARIANT, 'cases': cases(items[::4], VARIANT)}}
    raw = json.dumps(doc, ensure_ascii=True, separators=(',', ':')).encode('ascii')
    with open(OUT, 'wb') as f:
        with gzip.GzipFile(fileobj=f, mode='wb', mtime=0, compresslevel=9, filename='') as gz:
            gz.write(raw)
    print('fixture: %d texts, %d bytes gzipped' % (len(items), os.path.getsize(OUT)))
