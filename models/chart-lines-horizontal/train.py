"""U-Net for horizontal support/resistance levels in a rendered chart (row head: one probability per price row,
broadcast across the width). Reproduce: see ../chart-lines/README.md."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'chart-lines'))
from unet import main  # noqa: E402

if __name__ == '__main__':
    main(directory=HERE, name='chart-lines-horizontal', target='horizontal', head='row',
         description='Small U-Net (row head) over a 128x128 grayscale chart of 64 candles: probability that a '
                     'price row holds a support or resistance level.')
