import { pausedHolderSuite } from './paused-holder';

// One file per ledger, so jest runs them side by side.
describe('paused holder across processes', () => pausedHolderSuite('file'));
