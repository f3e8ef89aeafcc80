// jscanify ships no types; the bench page uses its browser build (global `cv`) through a narrow interface.
declare module 'jscanify/client';
