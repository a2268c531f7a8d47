export {
  RUN_FILE_SCHEMAS, parseRunFile, readRunFile, runFileProblems, manifestSchema, statesSchema, kineticsSchema, pathsSchema, stabilitySchema,
  transportSchema, stageRecordSchema, type RunFile, type RunFileName, type WrittenRunFile,
} from './run-folder.ts';
