/**
 * A word as a POSIX shell reads it back: as it is when it holds only characters no shell treats
 * specially, else in single quotes (a single quote inside written as '\''). For the commands
 * chipdse prints for the user to paste (resume with: ...).
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line of words, each quoted as needed. */
export function shellCommand(words: string[]): string {
  return words.map(shellQuote).join(' ');
}
