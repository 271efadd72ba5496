import { AppError, writeCommandError } from '../errors.ts';
import { isValidTimezone } from './normalize/time.ts';
import { toCountryCode } from './normalize/text.ts';
import { PLATFORMS, PlatformSchema } from './order.ts';
import { PLATFORM_ADAPTERS } from './platforms/index.ts';
import { parseJsonBody } from './webhook-body.ts';

export const PARSE_ORDER_USAGE = `Usage: akked parse-order --platform <platform> [--country CC] [--timezone TZ] [--file F]

Reads one webhook body (from --file, else stdin) and prints the normalized order JSON on stdout.
No signature check and no database.

Options:
  --platform <p>   ${PLATFORMS.join(' | ')}
  --country CC     the store's default country (ISO 3166-1 alpha-2) for phones typed in local form
  --timezone TZ    IANA time zone for platform times without an offset (default UTC)
  --file F         read the body from this file instead of stdin
  --help           this text

On bad input prints one line {"error":{"code":"...","message":"..."}} on stderr and exits with 2.
Zid bodies may be the bare order or wrapped as {"order": {...}}.`;

export type ParseOrderIo = {
  stdin: NodeJS.ReadableStream;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<Buffer>;
};

type ParseOrderOptions = { platform: string | null; country: string | null; timezone: string; file: string | null; wantsHelp: boolean };

const VALUE_OPTIONS = new Set(['--platform', '--country', '--timezone', '--file']);

const badArgument = (message: string): AppError => new AppError('bad_request', { message });

/** `--name value` and `--name=value`; anything unknown is an error, not silently ignored. */
const readArguments = (args: string[]): ParseOrderOptions => {
  const options: ParseOrderOptions = { platform: null, country: null, timezone: 'UTC', file: null, wantsHelp: false };
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] ?? '';
    if (argument === '--help' || argument === '-h') {
      options.wantsHelp = true;
      continue;
    }
    const [name = '', inlineValue] = argument.startsWith('--') && argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    if (!VALUE_OPTIONS.has(name)) throw badArgument(`Unknown argument "${argument}"; run akked parse-order --help`);
    const value = inlineValue ?? args[(index += 1)];
    if (value === undefined || value.length === 0) throw badArgument(`${name} needs a value`);
    if (name === '--platform') options.platform = value;
    if (name === '--country') options.country = value;
    if (name === '--timezone') options.timezone = value;
    if (name === '--file') options.file = value;
  }

  return options;
};

const readStream = async (stream: NodeJS.ReadableStream): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));

  return Buffer.concat(chunks);
};

const readBody = async (options: ParseOrderOptions, io: ParseOrderIo): Promise<Buffer> => {
  if (options.file === null) return readStream(io.stdin);
  try {
    return await io.readFile(options.file);
  } catch (error) {
    throw new AppError('bad_request', { message: `Cannot read the file "${options.file}"`, cause: error });
  }
};

/**
 * `akked parse-order` (DESIGN.md §5.1): exit 0 with the normalized order on stdout, exit 2 with one
 * JSON error line on stderr for bad input (1 for a fault of ours).
 */
export const runParseOrder = async (args: string[], io: ParseOrderIo): Promise<number> => {
  try {
    const options = readArguments(args);
    if (options.wantsHelp) {
      io.stdout(`${PARSE_ORDER_USAGE}\n`);

      return 0;
    }
    if (options.platform === null) throw badArgument(`--platform is required (${PLATFORMS.join(', ')})`);
    const platform = PlatformSchema.safeParse(options.platform);
    if (!platform.success) throw badArgument(`Unknown platform "${options.platform}"; one of ${PLATFORMS.join(', ')}`);
    const country = options.country === null ? null : toCountryCode(options.country);
    if (options.country !== null && country === null) throw badArgument('--country must be a two-letter ISO 3166-1 code such as SA');
    if (!isValidTimezone(options.timezone)) throw badArgument(`Unknown time zone "${options.timezone}"; an IANA name such as Asia/Riyadh`);

    const body = parseJsonBody(await readBody(options, io));
    const order = PLATFORM_ADAPTERS[platform.data].normalize(body, { defaultCountry: country, timezone: options.timezone });
    io.stdout(`${JSON.stringify(order, null, 2)}\n`);

    return 0;
  } catch (error) {
    return writeCommandError(error, io.stderr);
  }
};
