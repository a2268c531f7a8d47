export { CellList, type Neighborhood, type NeighborList, neighborList } from './cell-list.ts';
