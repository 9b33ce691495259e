import pino, { type DestinationStream, type Logger } from 'pino';

/** Structured JSON logs; secrets and message bodies are redacted wherever they appear in a logged object. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'kefu' },
    redact: {
      paths: [
        'password', '*.password', 'passwordHash', '*.passwordHash', 'token', '*.token', 'secret', '*.secret',
        'credentials', '*.credentials', 'req.headers.cookie', 'req.headers.authorization', 'text', '*.text', 'content', '*.content',
      ],
      censor: '[redacted]',
    },
  }, destination);
}
