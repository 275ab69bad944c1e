/** Path tests shared by every runtime's frame classifier (each runtime file holds its own rules). */

/** Installed dependencies, whatever the language: node_modules, site-/dist-packages, vendor/ (PHP, Go, Ruby). */
const DEPENDENCY_DIR = /(?:^|[\\/])(?:node_modules|site-packages|dist-packages|vendor)[\\/]/;

/** True for a file inside a directory where package managers install dependencies. */
export function isDependencyPath(file: string): boolean {
  return DEPENDENCY_DIR.test(file);
}
