"""U-Net for rising/falling trend lines (rays) in a rendered chart, one probability per pixel.
Reproduce: see ../chart-lines/README.md."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'chart-lines'))
from unet import main  # noqa: E402

if __name__ == '__main__':
    main(directory=HERE, name='chart-lines-ray', target='ray', head='pixel',
         description='Small U-Net over a 128x128 grayscale chart of 64 candles: probability that a pixel lies on '
                     'a rising or falling trend line.')
