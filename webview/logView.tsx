/** The live log: virtualized rows (fixed height, only visible ones in the DOM), ANSI colours, filter, pause-on-scroll. */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { parseAnsi, type AnsiStyle } from './ansi';
import { LogIndex, type LogFilter } from './logIndex';
import type { Store } from './store';
import { formatClock } from './format';
import type { LogStream } from '../src/protocol/dtos';

export const ROW_HEIGHT = 18;
const OVERSCAN = 6;
/** Browsers cap element heights (~33.5M px in Chromium); past this the scrollbar maps proportionally to rows. */
const MAX_SPACER_PX = 8_000_000;
/** Rendering a 1 MB line into one row helps nobody; the filter still sees the whole line. */
const MAX_RENDER_CHARS = 4000;
const STREAM_CODE_NAMES: LogStream[] = ['stdout', 'stderr', 'system'];

interface Geometry {
  spacer: number;
  scrollMax: number;
  scrollTop: number;
  /** Position in the (unscaled) content, px. */
  virtualTop: number;
  first: number;
  /** Where row `first` sits inside the scroller, px. */
  firstTop: number;
}

export function geometry(rows: number, viewHeight: number, scrollTop: number): Geometry {
  const content = rows * ROW_HEIGHT;
  const spacer = Math.min(content, MAX_SPACER_PX);
  const contentMax = Math.max(0, content - viewHeight);
  const scrollMax = Math.max(0, spacer - viewHeight);
  const st = Math.min(Math.max(0, scrollTop), scrollMax);
  const virtualTop = scrollMax > 0 ? (st * contentMax) / scrollMax : 0;
  const first = Math.min(Math.max(0, rows - 1), Math.floor(virtualTop / ROW_HEIGHT));
  return { spacer, scrollMax, scrollTop: st, virtualTop, first: Math.max(0, first), firstTop: st - (virtualTop - Math.max(0, first) * ROW_HEIGHT) };
}

/** The scrollTop that shows virtual position `virtualTop`. */
function scrollTopFor(rows: number, viewHeight: number, virtualTop: number): number {
  const content = rows * ROW_HEIGHT;
  const spacer = Math.min(content, MAX_SPACER_PX);
  const contentMax = Math.max(0, content - viewHeight);
  const scrollMax = Math.max(0, spacer - viewHeight);
  return contentMax > 0 ? (Math.min(virtualTop, contentMax) * scrollMax) / contentMax : 0;
}

export interface LogViewProps {
  store: Store;
  filter: LogFilter;
  onFilterChange(filter: LogFilter): void;
}

export function LogView({ store, filter, onFilterChange }: LogViewProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const index = useMemo(() => new LogIndex(store.logs), [store]);
  const [, setTick] = useState(0);
  const [viewHeight, setViewHeight] = useState(400);
  const [scrollTop, setScrollTop] = useState(0);
  const [follow, setFollow] = useState(true);
  const followRef = useRef(true);
  const lastAutoTop = useRef(0);
  // While paused, the first visible line is the anchor, so dropping old lines (the cap) does not move the view.
  const anchor = useRef<{ abs: number; offset: number } | null>(null);

  useMemo(() => index.setFilter(filter), [index, filter]);

  useEffect(() => {
    let frame = 0;
    let generation = store.logs.generation;
    const off = store.onLogs(() => {
      if (store.logs.generation !== generation) {
        // A snapshot or clear replaced the lines: the anchor points into a log that is gone.
        generation = store.logs.generation;
        anchor.current = null;
        followRef.current = true;
        setFollow(true);
      }
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        setTick((t) => t + 1);
      });
    });
    return () => {
      off();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [store]);

  useEffect(() => {
    const el = scroller.current!;
    const ro = new ResizeObserver(() => setViewHeight(el.clientHeight || 400));
    ro.observe(el);
    setViewHeight(el.clientHeight || 400);
    return () => ro.disconnect();
  }, []);

  index.sync();
  const rows = index.count;
  let wanted = scrollTop;
  if (follow) wanted = Number.MAX_SAFE_INTEGER;
  else if (anchor.current) {
    const row = index.rowOf(anchor.current.abs);
    wanted = scrollTopFor(rows, viewHeight, (row < 0 ? rows : row) * ROW_HEIGHT + anchor.current.offset);
  }
  const g = geometry(rows, viewHeight, wanted);
  const start = Math.max(0, g.first - OVERSCAN);
  const end = Math.min(rows, g.first + Math.ceil(viewHeight / ROW_HEIGHT) + 1 + OVERSCAN);
  const top = g.firstTop - (g.first - start) * ROW_HEIGHT;

  useLayoutEffect(() => {
    const el = scroller.current!;
    if (Math.abs(el.scrollTop - g.scrollTop) > 1) el.scrollTop = g.scrollTop;
    if (followRef.current) lastAutoTop.current = el.scrollTop;
  });

  const onScroll = () => {
    const el = scroller.current!;
    const st = el.scrollTop;
    const geo = geometry(index.count, el.clientHeight, st);
    const atBottom = st >= geo.scrollMax - 2;
    if (atBottom) setFollowing(true);
    else if (st < lastAutoTop.current - 2) setFollowing(false); // the user went up: stop following
    if (!followRef.current && index.count > 0) {
      anchor.current = { abs: index.rowAt(geo.first), offset: geo.virtualTop - geo.first * ROW_HEIGHT };
    }
    setScrollTop(st);
  };

  const setFollowing = (on: boolean) => {
    followRef.current = on;
    if (on) anchor.current = null;
    setFollow(on);
  };

  const buffer = store.logs;
  const query = filter.query.trim();
  const items: ComponentChildren[] = [];
  for (let r = start; r < end; r++) {
    const abs = index.rowAt(r);
    if (!buffer.has(abs)) continue;
    const line = buffer.get(abs);
    items.push(
      <div key={abs} class={`log-row s-${line.stream}`} data-seq={line.seq}>
        <span class="log-time" aria-hidden="true">{formatClock(line.time, true)}</span>
        <span class="log-text">{renderSegments(line.text, query)}</span>
      </div>,
    );
  }

  return (
    <section class="panel log-panel" aria-label="Live log">
      <LogToolbar
        filter={filter}
        onFilterChange={onFilterChange}
        total={buffer.length}
        shown={rows}
        filtered={index.filtered}
        dropped={buffer.dropped}
        follow={follow}
      />
      <div class="log-scroller" ref={scroller} onScroll={onScroll} tabIndex={0} role="log" aria-live="off">
        <div class="log-spacer" style={{ height: `${g.spacer}px` }} />
        <div class="log-rows" style={{ transform: `translateY(${top}px)` }}>
          {items}
        </div>
        {rows === 0 && <div class="log-empty">{index.filtered ? 'no line matches the filter' : 'waiting for output…'}</div>}
      </div>
      {!follow && (
        <button type="button" class="jump-live" onClick={() => setFollowing(true)}>
          ▼ jump to live
        </button>
      )}
    </section>
  );
}

interface ToolbarProps {
  filter: LogFilter;
  onFilterChange(filter: LogFilter): void;
  total: number;
  shown: number;
  filtered: boolean;
  dropped: number;
  follow: boolean;
}

function LogToolbar({ filter, onFilterChange, total, shown, filtered, dropped, follow }: ToolbarProps) {
  const [text, setText] = useState(filter.query);
  useEffect(() => {
    if (text === filter.query) return;
    // Filtering a million lines takes a moment: wait until typing pauses.
    const t = setTimeout(() => onFilterChange({ ...filter, query: text }), 120);
    return () => clearTimeout(t);
  }, [text]);
  const toggle = (s: LogStream) => onFilterChange({ ...filter, streams: { ...filter.streams, [s]: !filter.streams[s] } });
  return (
    <div class="log-toolbar">
      <span class="panel-title">▌LIVE LOG</span>
      <input
        class="log-filter"
        type="search"
        placeholder="filter / search…"
        aria-label="Filter log lines"
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onFilterChange({ ...filter, query: text });
          if (e.key === 'Escape') setText('');
        }}
      />
      {STREAM_CODE_NAMES.map((s) => (
        <button
          type="button"
          class={`chip stream-toggle s-${s}${filter.streams[s] ? ' on' : ''}`}
          aria-pressed={filter.streams[s]}
          onClick={() => toggle(s)}
        >
          {s}
        </button>
      ))}
      <span class="log-count">
        {filtered ? `${shown.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} lines` : `${total.toLocaleString('en-US')} lines`}
        {dropped > 0 ? ` · ${dropped.toLocaleString('en-US')} oldest dropped` : ''}
      </span>
      <span class={`follow-state ${follow ? 'live' : 'paused'}`}>{follow ? '● LIVE' : '❚❚ PAUSED'}</span>
    </div>
  );
}

/** ANSI segments as spans; text nodes only, so log text can never become markup. */
function renderSegments(raw: string, query: string): ComponentChildren {
  const text = raw.length > MAX_RENDER_CHARS ? `${raw.slice(0, MAX_RENDER_CHARS)} …[${raw.length - MAX_RENDER_CHARS} more chars]` : raw;
  const segments = parseAnsi(text);
  return segments.map((s, i) => {
    const content = query ? highlight(s.text, query) : s.text;
    if (!s.style) return content;
    const { className, style } = segmentStyle(s.style);
    return (
      <span key={i} class={className} style={style}>
        {content}
      </span>
    );
  });
}

function highlight(text: string, query: string): ComponentChildren {
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  let at = lower.indexOf(q);
  if (at < 0) return text;
  const out: ComponentChildren[] = [];
  let last = 0;
  while (at >= 0) {
    if (at > last) out.push(text.slice(last, at));
    out.push(<mark class="log-match">{text.slice(at, at + q.length)}</mark>);
    last = at + q.length;
    at = lower.indexOf(q, last);
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function segmentStyle(s: AnsiStyle): { className: string; style?: Record<string, string> } {
  const classes: string[] = [];
  const style: Record<string, string> = {};
  let fg = s.fg;
  let bg = s.bg;
  if (s.inverse) [fg, bg] = [bg ?? 'var(--mc-log-bg)', fg ?? 'var(--mc-fg)'];
  if (typeof fg === 'number') classes.push(`a-fg-${fg}`);
  else if (typeof fg === 'string') style.color = fg;
  if (typeof bg === 'number') classes.push(`a-bg-${bg}`);
  else if (typeof bg === 'string') style.backgroundColor = bg;
  if (s.bold) classes.push('a-bold');
  if (s.dim) classes.push('a-dim');
  if (s.italic) classes.push('a-italic');
  if (s.underline) classes.push('a-underline');
  if (s.strike) classes.push('a-strike');
  return { className: classes.join(' '), style: Object.keys(style).length ? style : undefined };
}
