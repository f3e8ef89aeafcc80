import { useRunTemp } from '../run-temp';

/** The end-to-end run's temp folder (tests/run-temp.ts): set before the workers start, removed after them. */
export default function setup(): () => void {
  return useRunTemp('e2e');
}
