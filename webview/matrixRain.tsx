/** A thin strip of Matrix rain behind the header. Decoration only: off for reduced motion, light and high-contrast themes. */
import { useEffect, useRef } from 'preact/hooks';

const GLYPHS = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ0123456789ABCDEF<>/*=+';
const CELL = 14;
const FRAME_MS = 80; // ~12 fps: a mood, not a benchmark

export function MatrixRain() {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    const motion = window.matchMedia('(prefers-reduced-motion: reduce)');
    const calm = () => motion.matches || document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast');
    let drops: number[] = [];
    let timer = 0;
    const resize = () => {
      el.width = el.clientWidth;
      el.height = el.clientHeight;
      drops = Array.from({ length: Math.ceil(el.width / CELL) }, () => Math.random() * -20);
    };
    const step = () => {
      if (document.hidden || calm()) return;
      ctx.fillStyle = 'rgba(0, 0, 0, 0.18)';
      ctx.fillRect(0, 0, el.width, el.height);
      ctx.font = `${CELL - 2}px monospace`;
      for (let i = 0; i < drops.length; i++) {
        const y = drops[i] * CELL;
        ctx.fillStyle = Math.random() < 0.05 ? '#d7ffe0' : '#00c83a';
        ctx.fillText(GLYPHS[(Math.random() * GLYPHS.length) | 0], i * CELL, y);
        drops[i] = y > el.height && Math.random() > 0.95 ? 0 : drops[i] + 1;
      }
    };
    resize();
    const ro = new ResizeObserver(resize);
    ro.observe(el);
    timer = window.setInterval(step, FRAME_MS);
    return () => {
      window.clearInterval(timer);
      ro.disconnect();
    };
  }, []);
  return <canvas class="matrix-rain" ref={canvas} aria-hidden="true" />;
}
