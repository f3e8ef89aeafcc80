/**
 * The main window's options. The renderer gets no Node, is sandboxed and context-isolated, talks
 * to the main side only through the preload's window.desk.invoke, and has no plugins (the PDF
 * preview renders with the bundled pdf.js, not Chromium's PDF extension). DevTools are off in a
 * packaged desk.
 */
import { WINDOW_TITLE } from './origin';

export interface MainWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  backgroundColor: string;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    plugins: false;
    experimentalFeatures: false;
    navigateOnDragDrop: false;
    spellcheck: false;
    devTools: boolean;
  };
}

export function mainWindowOptions(input: { preloadPath: string; isPackaged: boolean }): MainWindowOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: WINDOW_TITLE,
    // Shown on ready-to-show, or by the no-paint guard (shell/recovery.ts) if the GPU never paints.
    show: false,
    backgroundColor: '#f5f7fa',
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      plugins: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !input.isPackaged,
    },
  };
}
