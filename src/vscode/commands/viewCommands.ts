/** Where to look: Open Mission Control, Show Logs. */
import type { Container } from '../../container';
import { Commands } from '../../constants';
import type { CommandTable } from './commandTable';

export function viewCommands(c: Container): CommandTable {
  return {
    [Commands.openMissionControl]: () => c.missionControl.open(true),
    [Commands.showLogs]: () => c.log.show(),
  };
}
