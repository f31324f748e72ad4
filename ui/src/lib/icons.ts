// Stroke icons (24×24, feather-like), each a list of SVG path data, so one <path> element draws any of them.

const circle = (cx: number, cy: number, r: number): string =>
  `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
const line = (x1: number, y1: number, x2: number, y2: number): string => `M${x1} ${y1}L${x2} ${y2}`;
const poly = (...pts: number[]): string =>
  pts.reduce((d, v, i) => d + (i % 2 === 0 ? `${i === 0 ? "M" : "L"}${v}` : ` ${v}`), "");
const rect = (x: number, y: number, w: number, h: number, r = 0): string =>
  r === 0
    ? `M${x} ${y}h${w}v${h}h${-w}z`
    : `M${x + r} ${y}h${w - 2 * r}a${r} ${r} 0 0 1 ${r} ${r}v${h - 2 * r}a${r} ${r} 0 0 1 ${-r} ${r}h${-(w - 2 * r)}a${r} ${r} 0 0 1 ${-r} ${-r}v${-(h - 2 * r)}a${r} ${r} 0 0 1 ${r} ${-r}z`;

export const ICONS = {
  ok: ["M22 11.08V12a10 10 0 1 1-5.93-9.14", poly(22, 4, 12, 14.01, 9, 11.01)],
  warning: [
    "M10.29 3.86L1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z",
    line(12, 9, 12, 13),
    line(12, 17, 12.01, 17),
  ],
  error: [circle(12, 12, 10), line(15, 9, 9, 15), line(9, 9, 15, 15)],
  info: [circle(12, 12, 10), line(12, 16, 12, 12), line(12, 8, 12.01, 8)],
  clock: [circle(12, 12, 10), poly(12, 6, 12, 12, 16, 14)],
  // Channels.
  alert: ["M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9", "M13.73 21a2 2 0 0 1-3.46 0"],
  email: [rect(2, 4, 20, 16, 2), poly(22, 6, 12, 13, 2, 6)],
  chat: ["M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"],
  pager: [rect(2, 6, 20, 12, 2), line(6, 10, 14, 10), line(6, 14, 11, 14), line(17.5, 10, 17.5, 14)],
  ticket: [
    "M3 7a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v3a2 2 0 0 0 0 4v3a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-3a2 2 0 0 0 0-4z",
    line(14, 5, 14, 7),
    line(14, 11, 14, 13),
    line(14, 17, 14, 19),
  ],
  news: [
    "M4 4h13v16H6a2 2 0 0 1-2-2z",
    "M17 8h3v10a2 2 0 0 1-2 2",
    line(7, 8, 14, 8),
    line(7, 12, 14, 12),
    line(7, 16, 11, 16),
  ],
  log: [poly(4, 17, 10, 11, 4, 5), line(12, 19, 20, 19)],
  call: ["M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2"],
  // Triggers.
  branch: [line(6, 3, 6, 15), circle(18, 6, 3), circle(6, 18, 3), "M18 9a9 9 0 0 1-9 9"],
  hourglass: ["M6 2h12M6 22h12", "M7 2c0 5 5 6 5 10s-5 5-5 10", "M17 2c0 5-5 6-5 10s5 5 5 10"],
  follow: [poly(15, 10, 20, 15, 15, 20), "M4 4v7a4 4 0 0 0 4 4h12"],
  cue: ["M4 15s1-1 4-1 5 2 8 2 4-1 4-1V3s-1 1-4 1-5-2-8-2-4 1-4 1z", line(4, 22, 4, 15)],
  // Interface.
  upload: ["M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4", poly(17, 8, 12, 3, 7, 8), line(12, 3, 12, 15)],
  sun: [
    circle(12, 12, 4.5),
    "M12 1v2M12 21v2M4.22 4.22l1.42 1.42M18.36 18.36l1.42 1.42M1 12h2M21 12h2M4.22 19.78l1.42-1.42M18.36 5.64l1.42-1.42",
  ],
  moon: ["M21 12.79A9 9 0 1 1 11.21 3 7 7 0 0 0 21 12.79z"],
  projector: [rect(2, 3, 20, 14, 2), line(8, 21, 16, 21), line(12, 17, 12, 21)],
  chevron: [poly(9, 18, 15, 12, 9, 6)],
  back: [line(19, 12, 5, 12), poly(12, 19, 5, 12, 12, 5)],
  users: [
    "M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2",
    circle(9, 7, 4),
    "M23 21v-2a4 4 0 0 0-3-3.87",
    "M16 3.13a4 4 0 0 1 0 7.75",
  ],
  target: [circle(12, 12, 10), circle(12, 12, 6), circle(12, 12, 2)],
  refresh: [poly(23, 4, 23, 10, 17, 10), "M20.49 15a9 9 0 1 1-2.12-9.36L23 10"],
  paperclip: [
    "M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48",
  ],
  shield: ["M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z"],
  offline: [
    line(1, 1, 23, 23),
    "M16.72 11.06A10.94 10.94 0 0 1 19 12.55",
    "M5 12.55a10.94 10.94 0 0 1 5.17-2.39",
    "M10.71 5.05A16 16 0 0 1 22.58 9",
    "M1.42 9a15.91 15.91 0 0 1 4.7-2.88",
    "M8.53 16.11a6 6 0 0 1 6.95 0",
    line(12, 20, 12.01, 20),
  ],
  grid: [rect(3, 3, 7, 7), rect(14, 3, 7, 7), rect(14, 14, 7, 7), rect(3, 14, 7, 7)],
  library: ["M4 19.5A2.5 2.5 0 0 1 6.5 17H20", "M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z"],
  bulb: ["M9 18h6", "M10 22h4", "M12 2a7 7 0 0 0-4 12.74V17h8v-2.26A7 7 0 0 0 12 2z"],
  file: ["M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z", poly(14, 2, 14, 8, 20, 8)],
  close: [line(18, 6, 6, 18), line(6, 6, 18, 18)],
  edit: ["M12 20h9", "M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4z"],
  history: [poly(1, 4, 1, 10, 7, 10), "M3.51 15a9 9 0 1 0 2.13-9.36L1 10", poly(12, 7, 12, 12, 15, 14)],
  download: ["M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4", poly(7, 10, 12, 15, 17, 10), line(12, 15, 12, 3)],
  save: [
    "M19 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h11l5 5v11a2 2 0 0 1-2 2z",
    poly(17, 21, 17, 13, 7, 13, 7, 21),
    poly(7, 3, 7, 8, 15, 8),
  ],
  trend: [poly(23, 6, 13.5, 15.5, 8.5, 10.5, 1, 18), poly(17, 6, 23, 6, 23, 12)],
  plus: [line(12, 5, 12, 19), line(5, 12, 19, 12)],
  trash: [poly(3, 6, 5, 6, 21, 6), "M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6", "M10 11v6M14 11v6", "M9 6V4h6v2"],
  folder: ["M22 19a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h5l2 3h9a2 2 0 0 1 2 2z"],
} as const satisfies Record<string, readonly string[]>;

export type IconName = keyof typeof ICONS;

const CHANNEL_ICONS: Record<string, IconName> = {
  alert: "alert",
  email: "email",
  chat: "chat",
  pager: "pager",
  ticket: "ticket",
  news: "news",
  log: "log",
  call: "call",
};

export function channelIcon(channel: string): IconName {
  return CHANNEL_ICONS[channel.toLowerCase()] ?? "info";
}
