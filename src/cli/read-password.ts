/**
 * Reading a password for the command line: the first line of stdin, or a prompt on the
 * terminal with echo off (twice, to confirm, when setting one).
 * @module
 */

/** Options of `readPassword`. */
export interface ReadPasswordOptions {
  readonly fromStdin: boolean;
  /** Ask twice and compare. */
  readonly confirm: boolean;
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  const line = text.split('\n')[0]!;
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Reads one line from the terminal without echoing it; rejects on Ctrl-C. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return (finish(), resolve(value));
        if (ch === '\u0003') return (finish(), reject(new Error('interrupted')));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The password; `null` when there is no terminal to ask on, `undefined` when the two entries differ. */
export async function readPassword(options: ReadPasswordOptions): Promise<string | null | undefined> {
  if (options.fromStdin) return firstLineOfStdin();
  if (!process.stdin.isTTY) return null;
  const first = await promptHidden(options.confirm ? 'New password: ' : 'Enter password: ');
  if (!options.confirm) return first;
  const again = await promptHidden('Re-type new password: ');
  return first === again ? first : undefined;
}
