// Progress of a mirror run on standard error: a bar (cli-progress) when it is a terminal, plain
// lines otherwise (CI logs, pipes), so a log reads the same as what a person watched.
import cliProgress from 'cli-progress';

export interface Progress {
  /** A new step: "resolving PyPI requirements with pip". */
  step(text: string): void;
  /** Items of a counted step begin. */
  start(total: number, what: string): void;
  /** One item done. */
  tick(label: string): void;
  /** The counted step is over. */
  stop(): void;
}

export function createProgress(err: (text: string) => void, tty: boolean): Progress {
  return tty ? barProgress(err) : lineProgress(err);
}

function lineProgress(err: (text: string) => void): Progress {
  let total = 0;
  let done = 0;
  return {
    step: (text) => err(`depfence mirror: ${text}`),
    start(count, what) {
      total = count;
      done = 0;
      err(`depfence mirror: ${what} (${count})`);
    },
    tick(label) {
      done++;
      err(`  [${done}/${total}] ${label}`);
    },
    stop: () => {},
  };
}

function barProgress(err: (text: string) => void): Progress {
  let bar: cliProgress.SingleBar | null = null;
  return {
    step: (text) => err(`depfence mirror: ${text}`),
    start(count, what) {
      bar = new cliProgress.SingleBar(
        {
          format: `${what} [{bar}] {value}/{total} {label}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(count, 0, { label: '' });
    },
    tick(label) {
      bar?.increment(1, { label: label.length > 50 ? `${label.slice(0, 47)}...` : label });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
