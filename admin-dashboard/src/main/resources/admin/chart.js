// A line chart of the last hour, drawn by hand on a canvas: one or two series, each on its own scale (the
// first on the left axis, the second on the right). Points are the server's samples ({ts, connections,
// messagesPerSecond, joinsPerMinute, relayMs}); a null value is a gap.

const WINDOW_MS = 60 * 60 * 1000;
const PAD = {left: 44, right: 44, top: 12, bottom: 22};

const TICKS = 4;

/** The axis step: 1, 2 or 5 times a power of ten, so that TICKS steps cover `max`; at least `least`. */
function niceStep(max, least) {
    const raw = Math.max(max / TICKS, least);
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) {
        if (m * magnitude >= raw) {
            return m * magnitude;
        }
    }
    return 10 * magnitude;
}

function label(value, step) {
    return step >= 1 ? String(Math.round(value)) : value.toFixed(step >= 0.1 ? 1 : 2);
}

function cssColor(canvas, name, fallback) {
    const value = getComputedStyle(canvas).getPropertyValue(name).trim();
    return value || fallback;
}

export class Chart {
    /** @param series [{field, color (a CSS variable), fallback, least (smallest axis step)}], one or two */
    constructor(canvas, series) {
        this.canvas = canvas;
        this.series = series;
        this.points = []; // samples
        this.pending = false;
        new ResizeObserver(() => this.draw()).observe(canvas);
    }

    /** Replaces the points (the server's history at start). */
    load(samples) {
        this.points = samples.slice();
        this.schedule();
    }

    add(sample) {
        const ts = sample.ts;
        const last = this.points[this.points.length - 1];
        if (last && ts <= last.ts) {
            return;
        }
        this.points.push(sample);
        const oldest = ts - WINDOW_MS;
        while (this.points.length > 0 && this.points[0].ts < oldest) {
            this.points.shift();
        }
        this.schedule();
    }

    schedule() {
        if (!this.pending) {
            this.pending = true;
            requestAnimationFrame(() => {
                this.pending = false;
                this.draw();
            });
        }
    }

    draw() {
        const canvas = this.canvas;
        const ratio = window.devicePixelRatio || 1;
        const width = canvas.clientWidth;
        const height = canvas.clientHeight;
        if (width === 0 || height === 0) {
            return;
        }
        if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
            canvas.width = Math.round(width * ratio);
            canvas.height = Math.round(height * ratio);
        }
        const g = canvas.getContext('2d');
        g.setTransform(ratio, 0, 0, ratio, 0, 0);
        g.clearRect(0, 0, width, height);

        const ink = cssColor(canvas, '--muted', '#888');
        const grid = cssColor(canvas, '--grid', 'rgba(128,128,128,0.2)');

        const now = this.points.length ? this.points[this.points.length - 1].ts : Date.now();
        const start = now - WINDOW_MS;
        const plotW = width - PAD.left - PAD.right;
        const plotH = height - PAD.top - PAD.bottom;
        const steps = this.series.map((s) => niceStep(Math.max(0, ...this.points.map((p) => p[s.field] || 0)),
            s.least));
        const x = (ts) => PAD.left + ((ts - start) / WINDOW_MS) * plotW;
        const y = (value, max) => PAD.top + plotH - (value / max) * plotH;

        g.font = '11px system-ui, sans-serif';
        g.lineWidth = 1;
        g.strokeStyle = grid;
        g.fillStyle = ink;
        g.textBaseline = 'middle';
        for (let i = 0; i <= TICKS; i++) {
            const yy = Math.round(PAD.top + (plotH * i) / TICKS) + 0.5;
            g.beginPath();
            g.moveTo(PAD.left, yy);
            g.lineTo(PAD.left + plotW, yy);
            g.stroke();
            g.textAlign = 'right';
            g.fillText(label(steps[0] * (TICKS - i), steps[0]), PAD.left - 6, yy);
            if (steps.length > 1) {
                g.textAlign = 'left';
                g.fillText(label(steps[1] * (TICKS - i), steps[1]), PAD.left + plotW + 6, yy);
            }
        }
        g.textAlign = 'center';
        g.textBaseline = 'top';
        for (let minute = 60; minute >= 0; minute -= 15) {
            const xx = x(now - minute * 60000);
            g.fillText(minute === 0 ? 'now' : `-${minute} min`, xx, PAD.top + plotH + 6);
        }

        this.series.forEach((s, i) => this.line(g, s.field, cssColor(canvas, s.color, s.fallback), x,
            (v) => y(v, steps[i] * TICKS)));
    }

    line(g, field, color, x, y) {
        g.strokeStyle = color;
        g.lineWidth = 2;
        g.lineJoin = 'round';
        g.beginPath();
        let drawing = false;
        for (const p of this.points) {
            const value = p[field];
            if (value === null || value === undefined) {
                drawing = false; // a gap where the value was unknown
                continue;
            }
            if (drawing) {
                g.lineTo(x(p.ts), y(value));
            } else {
                g.moveTo(x(p.ts), y(value));
                drawing = true;
            }
        }
        g.stroke();
    }
}
