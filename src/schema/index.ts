export {
  RUN_FILE_SCHEMAS, readRunFile, runFileProblems, manifestSchema, statesSchema, kineticsSchema, pathsSchema, stabilitySchema,
  transportSchema, stageRecordSchema, type RunFile, type RunFileName,
} from './run-folder.ts';
