// How numbers and times are shown.

export function count(n) {
    return n === null || n === undefined ? '–' : String(n);
}

export function rate(n) {
    if (n === null || n === undefined) {
        return '–';
    }
    return n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}

/** 3 d 4 h, 5 h 12 min, 7 min 3 s, 42 s */
export function duration(ms) {
    if (ms === null || ms === undefined || ms < 0) {
        return '–';
    }
    const s = Math.floor(ms / 1000);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d > 0) {
        return `${d} d ${h} h`;
    }
    if (h > 0) {
        return `${h} h ${m} min`;
    }
    if (m > 0) {
        return `${m} min ${s % 60} s`;
    }
    return `${s} s`;
}

/** Today: the time; earlier: date and time. */
export function time(ts) {
    if (!ts) {
        return '–';
    }
    const date = new Date(ts);
    const today = new Date();
    if (date.toDateString() === today.toDateString()) {
        return date.toLocaleTimeString();
    }
    return date.toLocaleString();
}

export function iso(ts) {
    return ts ? new Date(ts).toISOString() : '';
}
