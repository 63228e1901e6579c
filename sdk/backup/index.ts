/**
 * Backup and rollback (`pulumi-pfsense-ha/backup`): the record every `up` keeps of both nodes
 * before its first write, and the rollback that puts it back (what `pfsense-ha rollback` runs).
 */
export { BACKUP_SECTIONS, type ClusterSnapshot, type NodeSnapshot } from "./snapshot";
export {
  planNode,
  planSection,
  sectionsEqual,
  formatSectionPlans,
  type FieldChange,
  type ItemAction,
  type ItemChange,
  type SectionPlan,
} from "./rollbackPlan";
export {
  applyRollback,
  formatOutcome,
  formatPreview,
  previewRollback,
  rollbackDescription,
  type NodeOutcome,
  type NodeReading,
  type RollbackOutcome,
  type RollbackPreview,
} from "./rollback";
export { backupsOfDeployment, BACKUP_TYPE, type StackBackup } from "./stackRecord";
export { readStackBackups } from "../cli/rollbackCli";
