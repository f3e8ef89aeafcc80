export * from './ipc/contract';
export * from './ipc/errors';
export * from './ipc/envelope';
export * from './domain/roles';
export * from './domain/catalog';
export * from './rules/id-number';
export * from './rules/phone';
export * from './rules/password';
