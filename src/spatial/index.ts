export { stateProfileAlongZ, type StateProfile } from './profile.ts';
