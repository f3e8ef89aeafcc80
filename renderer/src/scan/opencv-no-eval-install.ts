/**
 * Side-effect module: installs the eval-free `Function` before OpenCV.js is evaluated. The scan
 * worker imports it first, ahead of '@techstark/opencv-js' (imports evaluate in order).
 */
import { installNoEvalFunction } from './opencv-no-eval';

export const noEvalStats = installNoEvalFunction();
