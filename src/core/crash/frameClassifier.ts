/** Decides whether a stack frame belongs to the app's own code or to a runtime, standard library or dependency. */
import type { CrashLanguage, StackFrame } from './crashReport';

const PYTHON_LIB = /(?:^<|[\\/]lib[\\/]python\d|[\\/]site-packages[\\/]|[\\/]dist-packages[\\/]|^\/usr\/lib\/python|[\\/]lib-dynload[\\/])/;
const NODE_LIB = /(?:^node:|^undefined$|^internal[\\/]|[\\/]node_modules[\\/]|^node_modules[\\/]|<anonymous>|^native$|^evalmachine|^\[eval\])/;
const JAVA_LIB_FN = /^(?:[\w.-]+\/)?(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|org\.junit|org\.gradle|org\.apache\.maven)\./;
const GO_LIB = /(?:^\/usr\/local\/go\/|^\/usr\/lib\/go[\\/-]|GOROOT|[\\/]pkg[\\/]mod[\\/]|^\/usr\/share\/go|[\\/]go[\\/]src[\\/]runtime[\\/]|^runtime[\\/])/;
const GO_LIB_FN = /^(?:runtime|testing|panic|reflect|sync|internal)[.(/]/;
const RUST_LIB = /(?:^\/rustc\/|^library[\\/](?:std|core|alloc)[\\/]|[\\/]\.cargo[\\/](?:registry|git)[\\/]|[\\/]library[\\/](?:std|core|alloc)[\\/]src[\\/]|[\\/]\.rustup[\\/])/;
const RUST_LIB_FN = /^(?:std::|core::|alloc::|rust_begin_unwind|__rust|_start|__libc_start|<unknown>)/;
const RUBY_LIB = /(?:[\\/]gems[\\/]|[\\/]lib[\\/]ruby[\\/]|^<internal:|[\\/]rubygems[\\/]|[\\/]vendor[\\/]bundle[\\/])/;

/** True when the frame is in the app's own code for its language. */
export function isUserFrame(language: CrashLanguage, frame: StackFrame): boolean {
  const file = frame.file;
  if (!file) return false;
  switch (language) {
    case 'python':
      return !PYTHON_LIB.test(file);
    case 'node':
      return !NODE_LIB.test(file);
    case 'java':
      return !(frame.function && JAVA_LIB_FN.test(frame.function)) && file !== 'Native Method' && file !== 'Unknown Source';
    case 'go':
      return !GO_LIB.test(file) && !(frame.function && GO_LIB_FN.test(frame.function));
    case 'rust':
      return !RUST_LIB.test(file) && !(frame.function && RUST_LIB_FN.test(frame.function));
    case 'ruby':
      return !RUBY_LIB.test(file);
    default:
      return true;
  }
}
