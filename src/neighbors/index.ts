export { type Neighborhood, type NeighborList, forEachNeighborhood, neighborList } from './cell-list.ts';
