/**
 * Technician accounts, from the command line of the machine that runs Estrad:
 *
 *   npm run admin -- create <username>     (asks for the password, or reads ESTRAD_ADMIN_PASSWORD)
 *
 * Works on the database in DATA_DIR, like the server; it can run while the server does.
 */
import { createInterface } from 'node:readline';
import { technicianUsernameSchema } from '../shared/protocol.js';
import { loadConfig } from '../server/config/env.js';
import { openDatabase } from '../server/storage/database.js';
import { isAlreadyExistsError } from '../server/storage/errors.js';
import { createTechnician } from '../server/storage/technicians.js';

const MIN_PASSWORD_LENGTH = 12;
const USAGE = 'Usage: npm run admin -- create <username>   (1 to 64 characters, no control characters)';

async function main(): Promise<void> {
  const [command, typed] = process.argv.slice(2);
  const username = technicianUsernameSchema.safeParse(typed).data;
  if (command !== 'create' || !username) throw new Error(USAGE);
  const password = process.env.ESTRAD_ADMIN_PASSWORD ?? (await askPassword(`Password for ${username}: `));
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`Use a password of at least ${MIN_PASSWORD_LENGTH} characters.`);
  const config = loadConfig();
  const db = openDatabase(config.dataDir);
  try {
    await createTechnician(db, username, password);
    console.log(`Technician "${username}" created in ${config.dataDir}; sign in with POST /api/auth/login.`);
  } catch (error) {
    if (isAlreadyExistsError(error)) throw new Error(`A technician called "${username}" already exists.`, { cause: error });
    throw error;
  } finally {
    db.close();
  }
}

/** Reads a line without echoing it when typed at a terminal; piped input is read as is. */
function askPassword(prompt: string): Promise<string> {
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) {
    process.stdout.write(prompt);
    // Keep the prompt, hide what is typed after it.
    (lines as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => undefined;
  }
  return new Promise((resolve) =>
    lines.once('line', (line) => {
      lines.close();
      if (process.stdin.isTTY) process.stdout.write('\n');
      resolve(line);
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
