import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { indexToX, priceToY } from '../../stages/chart-vision/chart-mapping.ts';
import type { RenderedChart } from '../../stages/chart-vision/chart-renderer.ts';
import type { FoundLevel, FoundRay } from '../../stages/chart-vision/mask-lines.ts';

// PNGs for the READMEs: the chart as the model saw it, enlarged without smoothing, with found lines drawn on top
// (support green, resistance red), one panel per finder side by side. For people only; nothing reads them back.

export interface OverlayPanel {
  chart: RenderedChart;
  title: string;
  levels?: readonly Pick<FoundLevel, 'kind' | 'price'>[];
  rays?: readonly {
    kind: FoundRay['kind'];
    from: { index: number; price: number };
    to: { index: number; price: number };
  }[];
}

const colour = (kind: 'support' | 'resistance'): string => (kind === 'support' ? '#2ecc71' : '#ff5a4e');

function enlarge(chart: RenderedChart): Canvas {
  const small = createCanvas(chart.width, chart.height);
  const img = small.getContext('2d').createImageData(chart.width, chart.height);
  for (let p = 0; p < chart.width * chart.height; p++) {
    for (let c = 0; c < 3; c++)
      img.data[p * 4 + c] = chart.pixels[p * chart.channels + (chart.channels === 3 ? c : 0)]!;
    img.data[p * 4 + 3] = 255;
  }
  small.getContext('2d').putImageData(img, 0, 0);
  return small;
}

/** Panels of one size side by side, each a chart with its lines, and a caption below. */
export function overlayPng(panels: readonly OverlayPanel[], caption: string, scale = 3): Buffer {
  const first = panels[0]!.chart;
  const w = first.width * scale;
  const h = first.height * scale;
  const top = 20;
  const bottom = 20;
  const canvas = createCanvas(w * panels.length + 8 * (panels.length - 1), h + top + bottom);
  const g = canvas.getContext('2d');
  g.fillStyle = '#202020';
  g.fillRect(0, 0, canvas.width, canvas.height);
  panels.forEach((panel, k) => {
    const m = panel.chart.mapping;
    const left = k * (w + 8);
    g.imageSmoothingEnabled = false;
    g.drawImage(enlarge(panel.chart), left, top, w, h);
    g.lineWidth = 2;
    for (const l of panel.levels ?? []) {
      const y = top + (priceToY(m, l.price) + 0.5) * scale;
      g.strokeStyle = colour(l.kind);
      g.beginPath();
      g.moveTo(left, y);
      g.lineTo(left + w, y);
      g.stroke();
    }
    for (const r of panel.rays ?? []) {
      g.strokeStyle = colour(r.kind);
      g.beginPath();
      g.moveTo(left + (indexToX(m, r.from.index) + 0.5) * scale, top + (priceToY(m, r.from.price) + 0.5) * scale);
      g.lineTo(left + (indexToX(m, r.to.index) + 0.5) * scale, top + (priceToY(m, r.to.price) + 0.5) * scale);
      g.stroke();
    }
    g.fillStyle = '#f0f0f0';
    g.font = '13px sans-serif';
    g.fillText(panel.title, left + 4, 15);
  });
  g.fillStyle = '#c8c8c8';
  g.font = '12px sans-serif';
  g.fillText(caption, 4, top + h + 15);
  return canvas.toBuffer('image/png');
}
