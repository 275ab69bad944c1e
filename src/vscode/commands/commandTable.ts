/** A command group: handlers by command id. The container registers them and runs them in the command wrapper. */
import type { CommandId } from '../../constants';

// Commands receive what VS Code passes (tree items, URIs, ids): each handler checks its own arguments.
export type CommandHandler = (...args: any[]) => unknown;

export type CommandTable = Partial<Record<CommandId, CommandHandler>>;
