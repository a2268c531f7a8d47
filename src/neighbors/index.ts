export { type NeighborList, neighborList } from './cell-list.ts';
