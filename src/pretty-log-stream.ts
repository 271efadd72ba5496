import type { DestinationStream } from 'pino';

/**
 * LOG_FORMAT=pretty: each JSON line pino writes becomes one line a person reads at a terminal,
 * `09:15:43 INFO  [api] message  key=value`, with an error's stack below it. The JSON is written
 * by pino first, so redaction and masking have already happened.
 */
const LEVELS: Record<number, { label: string; color: string }> = {
  10: { label: 'TRACE', color: '90' },
  20: { label: 'DEBUG', color: '36' },
  30: { label: 'INFO ', color: '32' },
  40: { label: 'WARN ', color: '33' },
  50: { label: 'ERROR', color: '31' },
  60: { label: 'FATAL', color: '35' },
};

// Shown in the line's prefix or below it rather than as key=value.
const PREFIX_FIELDS = new Set(['level', 'time', 'msg', 'role', 'component', 'err', 'links', 'pid', 'hostname']);

const formatValue = (value: unknown): string => {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;

  return JSON.stringify(value);
};

type ErrorRecord = { type?: string; message?: string; stack?: string };

export const formatLogLine = (line: string, useColor: boolean): string => {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const paint = (color: string, text: string) => (useColor ? `\u001b[${color}m${text}\u001b[0m` : text);
  const level = LEVELS[Number(record.level)] ?? { label: String(record.level).padEnd(5), color: '0' };
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  const scope = [record.role, record.component].filter((part) => typeof part === 'string').join('/');
  const fields = Object.entries(record)
    .filter(([field]) => !PREFIX_FIELDS.has(field))
    .map(([field, value]) => `${paint('90', `${field}=`)}${formatValue(value)}`);
  const parts = [paint('90', time), paint(level.color, level.label), scope ? paint('90', `[${scope}]`) : '', String(record.msg ?? '')];
  let text = parts.filter(Boolean).join(' ');
  if (fields.length > 0) text += `  ${fields.join(' ')}`;
  // One link a line, nothing around it, so a terminal makes it clickable and a copy takes it whole.
  if (Array.isArray(record.links)) for (const link of record.links) text += `\n    ${String(link)}`;
  const error = record.err as ErrorRecord | undefined;
  if (error && typeof error === 'object') {
    const detail = error.stack ?? `${error.type ?? 'Error'}: ${error.message ?? ''}`;
    text += `\n${detail.replace(/^/gm, '    ')}`;
  }

  return `${text}\n`;
};

export const createPrettyStream = (output: DestinationStream, useColor = process.stderr.isTTY === true): DestinationStream => ({
  write: (chunk: string) => {
    // pino writes one record per call, ending in a newline.
    for (const line of chunk.split('\n')) if (line) output.write(formatLogLine(line, useColor));
  },
});
