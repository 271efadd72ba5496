import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError, writeCommandError } from '../errors.ts';
import { readReply, REPLY_LANGUAGES } from './reply-intent.ts';

/** WhatsApp's own limit for one text message. */
const MAXIMUM_REPLY_CHARACTERS = 4096;

export const PARSE_REPLY_USAGE = `Usage: akked parse-reply [--language ar|en|fr]

Reads one customer reply (UTF-8 text) on stdin and prints how Akked understands it, as one JSON line:
  {"intent":"confirm"|"cancel"|"unclear","topic":null|"question"|"change_address"|"change_date"|"opt_out"|"other",
   "matched":[...],"cues":[...],"unknown":[...],"reason":null|"..."}
matched: the yes/no words as written; cues: the words behind the topic or the hesitation;
unknown: words Akked does not know (any of them leaves a reply unclear); reason: why it is unclear.
No database and no configuration.

Options:
  --language L   the language the question was asked in (ar, en, fr); adds the words that mean yes
                 only in that language (French "si")
  --help         this text

On bad input (empty, not UTF-8, longer than ${MAXIMUM_REPLY_CHARACTERS} characters, an unknown option) prints one line
{"error":{"code":"bad_request","message":"..."}} on stderr and exits with 2.`;

export type ParseReplyIo = { stdin: NodeJS.ReadableStream; stdout: (text: string) => void; stderr: (text: string) => void };

const LanguageSchema = z.enum(REPLY_LANGUAGES);

const readArguments = (args: string[]): { language: z.infer<typeof LanguageSchema> | undefined; wantsHelp: boolean } => {
  let parsed: ReturnType<typeof parseArgs<{ options: { language: { type: 'string' }; help: { type: 'boolean'; short: 'h' } } }>>;
  try {
    parsed = parseArgs({ args, options: { language: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  } catch (error) {
    throw new AppError('bad_request', { message: `${error instanceof Error ? error.message : 'bad arguments'}; run akked parse-reply --help`, cause: error });
  }
  const language = parsed.values.language === undefined ? undefined : LanguageSchema.safeParse(parsed.values.language);
  if (language && !language.success) throw new AppError('bad_request', { message: `--language must be one of ${REPLY_LANGUAGES.join(', ')}` });

  return { language: language?.data, wantsHelp: parsed.values.help === true };
};

const readStdin = async (stream: NodeJS.ReadableStream): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch (error) {
    throw new AppError('bad_request', { message: 'The reply on stdin is not UTF-8 text', cause: error });
  }
  // The shell's echo and heredocs end the reply with a line break that the customer did not type.
  const reply = text.replace(/\r?\n$/, '');
  if (reply.trim().length === 0) throw new AppError('bad_request', { message: 'No reply on stdin' });
  if (reply.length > MAXIMUM_REPLY_CHARACTERS) throw new AppError('bad_request', { message: `The reply is longer than ${MAXIMUM_REPLY_CHARACTERS} characters` });

  return reply;
};

/** `akked parse-reply` (DESIGN.md §7.3): exit 0 with the reading on stdout, 2 with one JSON error line for bad input. */
export const runParseReply = async (args: string[], io: ParseReplyIo): Promise<number> => {
  try {
    const options = readArguments(args);
    if (options.wantsHelp) {
      io.stdout(`${PARSE_REPLY_USAGE}\n`);

      return 0;
    }
    const reading = readReply(await readStdin(io.stdin), { language: options.language });
    io.stdout(`${JSON.stringify(reading)}\n`);

    return 0;
  } catch (error) {
    return writeCommandError(error, io.stderr);
  }
};
