import { connect, type TLSSocket } from 'node:tls';

/** One message over SMTP with implicit TLS (port 465) and AUTH PLAIN. */
export interface SmtpMessage {
  host: string;
  port: number;
  user: string;
  password: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  timeoutMs?: number;
}

/**
 * A deliberately small SMTP client: no dependency exists for it in this
 * project and a butler sends one short text message at a time.
 */
export async function sendSmtp(msg: SmtpMessage): Promise<{ response: string }> {
  const socket = connect({ host: msg.host, port: msg.port, servername: msg.host });
  socket.setTimeout(msg.timeoutMs ?? 20_000, () => socket.destroy(new Error(`SMTP ${msg.host}:${msg.port} timed out`)));
  const reader = replyReader(socket);
  try {
    await expect(reader, 220);
    await command(socket, reader, `EHLO butlers.local`, 250);
    const plain = Buffer.from(`\0${msg.user}\0${msg.password}`).toString('base64');
    await command(socket, reader, `AUTH PLAIN ${plain}`, 235);
    await command(socket, reader, `MAIL FROM:<${msg.from}>`, 250);
    await command(socket, reader, `RCPT TO:<${msg.to}>`, 250);
    await command(socket, reader, 'DATA', 354);
    const data = [
      `From: <${msg.from}>`,
      `To: <${msg.to}>`,
      `Subject: ${msg.subject.replace(/[\r\n]+/g, ' ')}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      // Dot-stuffing: a line starting with "." would end DATA early.
      ...msg.body.split(/\r?\n/).map((l) => (l.startsWith('.') ? `.${l}` : l)),
      '.',
    ].join('\r\n');
    const response = await command(socket, reader, data, 250);
    await command(socket, reader, 'QUIT', 221).catch(() => '');
    return { response };
  } finally {
    socket.destroy();
  }
}

type Reader = () => Promise<string>;

function replyReader(socket: TLSSocket): Reader {
  let buffer = '';
  const waiting: Array<{ resolve: (s: string) => void; reject: (e: Error) => void }> = [];
  const replies: string[] = [];
  let failure: Error | null = null;
  const flush = () => {
    while (replies.length && waiting.length) waiting.shift()!.resolve(replies.shift()!);
    if (failure) while (waiting.length) waiting.shift()!.reject(failure);
  };
  socket.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    // A reply ends with a line "NNN text" (space after the code, not "-").
    let m: RegExpMatchArray | null;
    while ((m = buffer.match(/^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/))) {
      replies.push(m[0]);
      buffer = buffer.slice(m[0].length);
    }
    flush();
  });
  socket.on('error', (err) => ((failure = err), flush()));
  socket.on('close', () => ((failure ??= new Error('SMTP connection closed')), flush()));
  return () => new Promise((resolve, reject) => (waiting.push({ resolve, reject }), flush()));
}

async function expect(read: Reader, code: number): Promise<string> {
  const reply = await read();
  if (!reply.startsWith(String(code))) throw new Error(`SMTP expected ${code}, got: ${reply.split('\n')[0].trim()}`);
  return reply;
}

async function command(socket: TLSSocket, read: Reader, line: string, code: number): Promise<string> {
  socket.write(`${line}\r\n`);
  return expect(read, code);
}
