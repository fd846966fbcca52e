"""Shared training code of the chart-lines U-Nets: data, network, training loop, ONNX export, card.

Reads the synthetic sets written by `npx tsx models/chart-lines/write-dataset.ts` (build/<split>/*.u8 and
meta.json). The held-out test set is never written there: `npx tsx models/chart-lines/evaluate-cards.ts`
regenerates it from its own seeds in TypeScript, chooses the post-processing thresholds on validation and writes
the card's metrics.
"""
import hashlib
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(ROOT, 'build')
OPSET = 17
INPUT_NAME = 'image'
OUTPUT_NAME = 'mask'


def seed_everything(seed, threads=2):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)


def load_split(split, target):
    d = os.path.join(BUILD, split)
    if not os.path.exists(os.path.join(d, 'meta.json')):
        raise SystemExit('missing %s: run `npx tsx models/chart-lines/write-dataset.ts` first' % d)
    with open(os.path.join(d, 'meta.json')) as f:
        meta = json.load(f)
    n, h, w, c = meta['count'], meta['height'], meta['width'], meta['channels']
    images = np.fromfile(os.path.join(d, 'images.u8'), dtype=np.uint8).reshape(n, h, w, c).transpose(0, 3, 1, 2)
    masks = np.fromfile(os.path.join(d, target + '.u8'), dtype=np.uint8).reshape(n, 1, h, w)
    return meta, np.ascontiguousarray(images), masks


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """A small U-Net (4 poolings). head='pixel': a 1x1 convolution per pixel; head='row': the decoder's features
    pooled along the time axis (mean and max over the width), a 1-D convolution over rows, the row's probability
    broadcast across the width. A level is a whole row, so the row head answers 'is there a level at this price'
    from the evidence of every candle at once."""

    def __init__(self, channels=1, widths=(8, 16, 32, 48, 64), head='pixel'):
        super().__init__()
        self.head_kind = head
        # A chart column pair is one candle (bar + gap): a 3x3 convolution and a 1x2 max-pool bring the image to
        # one column per candle at full price resolution, which halves the work of every later layer.
        self.stem = nn.Sequential(nn.Conv2d(channels, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]),
                                  nn.ReLU(inplace=True))
        self.down = nn.ModuleList()
        cin = widths[0]
        for w in widths:
            self.down.append(block(cin, w))
            cin = w
        self.up = nn.ModuleList()
        for i in range(len(widths) - 1, 0, -1):
            self.up.append(block(widths[i] + widths[i - 1], widths[i - 1]))
        if head == 'row':
            self.head = nn.Sequential(
                nn.Conv1d(2 * widths[0], 16, 5, padding=2), nn.ReLU(inplace=True), nn.Conv1d(16, 1, 3, padding=1))
        else:
            self.head = nn.Conv2d(widths[0], 1, 1)

    def forward(self, x):
        width = x.shape[3]
        x = F.max_pool2d(self.stem(x), kernel_size=(1, 2))
        skips = []
        for i, b in enumerate(self.down):
            if i > 0:
                x = F.max_pool2d(x, 2)
            x = b(x)
            skips.append(x)
        for i, b in enumerate(self.up):
            skip = skips[-2 - i]
            x = F.interpolate(x, scale_factor=2.0, mode='nearest')
            x = b(torch.cat([x, skip], dim=1))
        if self.head_kind == 'row':
            pooled = torch.cat([x.mean(dim=3), x.amax(dim=3)], dim=1)   # [B, 2C, H]
            logits = self.head(pooled).unsqueeze(3)                      # [B, 1, H, 1]
            return logits.expand(-1, -1, -1, width)
        return F.interpolate(self.head(x), scale_factor=(1.0, 2.0), mode='nearest')


class WithSigmoid(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.sigmoid(self.net(x))


def loss_fn(logits, target):
    """BCE plus a soft Dice term: lines are a few percent of the pixels, and Dice keeps the thin bands from
    collapsing into 'all background'."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    p = torch.sigmoid(logits)
    inter = (p * target).sum(dim=(1, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3)) + 1)
    return bce + dice.mean()


def batches(images, masks, size, order):
    for i in range(0, len(order), size):
        idx = np.sort(order[i:i + size])
        yield (torch.from_numpy(images[idx].astype(np.float32) / 255.0),
               torch.from_numpy(masks[idx].astype(np.float32)))


def evaluate(net, images, masks, size=64):
    """Validation loss and pixel IoU at probability 0.5 (pooled over the set)."""
    net.eval()
    total, n, inter, union = 0.0, 0, 0, 0
    with torch.no_grad():
        for x, y in batches(images, masks, size, np.arange(len(images))):
            logits = net(x)
            total += float(loss_fn(logits, y)) * len(x)
            n += len(x)
            pred = logits > 0
            truth = y > 0.5
            inter += int((pred & truth).sum())
            union += int((pred | truth).sum())
    return total / n, inter / max(union, 1)


def train(net, train_set, val_set, *, seed, epochs, batch, lr, evals_per_epoch, log):
    """Adam with a one-cycle learning rate; the validation IoU is measured `evals_per_epoch` times per epoch and
    the weights of the best measurement are kept (the checkpoint choice)."""
    images, masks = train_set
    vimages, vmasks = val_set
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    per_epoch = (len(images) + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * per_epoch, pct_start=0.15)
    every = max(1, per_epoch // evals_per_epoch)
    rng = np.random.default_rng(seed)
    history, best, best_state = [], -1.0, None
    step, run, seen, t0 = 0, 0.0, 0, time.time()
    for epoch in range(epochs):
        order = rng.permutation(len(images))
        for x, y in batches(images, masks, batch, order):
            net.train()
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            run += float(loss) * len(x)
            seen += len(x)
            if step % every == 0 or step == epochs * per_epoch:
                vloss, viou = evaluate(net, vimages, vmasks)
                history.append({'step': step, 'epoch': round(step / per_epoch, 3), 'trainLoss': run / seen,
                                'validationLoss': vloss, 'validationIou': viou, 'seconds': round(time.time() - t0)})
                log(history[-1])
                run, seen = 0.0, 0
                if viou > best:
                    best = viou
                    best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    net.load_state_dict(best_state)
    return history


def export_onnx(net, channels, height, width, path):
    model = WithSigmoid(net).eval()
    dummy = torch.zeros(1, channels, height, width, dtype=torch.float32)
    kwargs = dict(input_names=[INPUT_NAME], output_names=[OUTPUT_NAME], opset_version=OPSET,
                  dynamic_axes={INPUT_NAME: {0: 'batch'}, OUTPUT_NAME: {0: 'batch'}})
    try:
        torch.onnx.export(model, (dummy,), path, dynamo=False, **kwargs)
    except TypeError:
        torch.onnx.export(model, (dummy,), path, **kwargs)
    import onnx
    onnx.checker.check_model(onnx.load(path))
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_card(directory, card):
    """Writes model.json without post-processing or metrics: evaluate-cards.ts adds both, from the ONNX file
    just written, so a card never carries the figures of an earlier training run."""
    with open(os.path.join(directory, 'model.json'), 'w') as f:
        json.dump(card, f, indent=2)
        f.write('\n')


def main(*, directory, name, target, head, description, seed=7, widths=(8, 16, 32, 48, 64), epochs=2, batch=16,
         lr=3e-3, evals_per_epoch=3, train_count=8000, validation_count=500):
    seed_everything(seed, threads=1)
    meta, images, masks = load_split('train', target)
    vmeta, vimages, vmasks = load_split('validation', target)
    images, masks = images[:train_count], masks[:train_count]
    vimages, vmasks = vimages[:validation_count], vmasks[:validation_count]
    _, c, h, w = images.shape
    net = UNet(channels=c, widths=widths, head=head)
    params = sum(p.numel() for p in net.parameters())
    print('%s: %d train, %d validation images, %d parameters' % (name, len(images), len(vimages), params), flush=True)
    history = train(net, (images, masks), (vimages, vmasks), seed=seed, epochs=epochs, batch=batch, lr=lr,
                    evals_per_epoch=evals_per_epoch, log=lambda r: print(json.dumps(r), flush=True))
    best = max(history, key=lambda r: r['validationIou'])
    sha = export_onnx(net, c, h, w, os.path.join(directory, 'model.onnx'))
    card = {
        'name': name,
        'version': '1.0.0',
        'task': 'chart-lines',
        'kind': 'unet',
        'description': description,
        'licence': 'MIT (weights trained only on synthetic charts generated by this repository)',
        'onnx': {'file': 'model.onnx', 'opset': OPSET, 'sha256': sha, 'inputName': INPUT_NAME,
                 'inputShape': [-1, c, h, w], 'outputName': OUTPUT_NAME, 'outputShape': [-1, 1, h, w]},
        'image': {'width': w, 'height': h, 'channels': c, 'candles': meta.get('candles', 64), 'style': meta['style'],
                  'rendererVersion': meta['rendererVersion'], 'layout': 'NCHW float32',
                  'normalisation': 'pixel / 255 (chartTensor in stages/chart-vision/chart-renderer.ts)',
                  'output': 'probability per pixel that it lies on a %s line (sigmoid inside the graph)' % target},
        'data': {
            'source': 'synthetic charts: models/chart-lines/synthetic-charts.ts (seeded), rendered and masked in TypeScript',
            'split': {
                'rule': 'disjoint seed ranges per split; the test seeds were used for nothing but the metrics',
                'counts': {'train': int(len(images)), 'validation': int(len(vimages)), 'test': None},
                'seeds': {'train': [meta['firstSeed'], meta['firstSeed'] + len(images) - 1],
                          'validation': [vmeta['firstSeed'], vmeta['firstSeed'] + len(vimages) - 1]},
            },
        },
        'seed': seed,
        'training': {
            'target': target, 'head': head, 'widths': list(widths), 'parameters': params, 'epochs': epochs,
            'batch': batch, 'optimizer': 'Adam, one-cycle learning rate', 'learningRate': lr,
            'loss': 'binary cross-entropy + soft Dice', 'threads': 1, 'torch': torch.__version__,
            'choice': 'the checkpoint with the highest validation pixel IoU (probability 0.5), measured %d times '
                      'per epoch' % evals_per_epoch,
            'chosen': best, 'history': history,
        },
    }
    write_card(directory, card)
    print('wrote %s/model.onnx (%s) and model.json; next: npx tsx models/chart-lines/evaluate-cards.ts' % (directory, sha))
