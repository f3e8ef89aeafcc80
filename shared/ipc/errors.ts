/**
 * Typed errors that cross the IPC boundary. `code` is for programs, `message`
 * is Chinese text a clerk can act on. Precise technical detail never crosses
 * the boundary; it goes to the main-side log under a log id.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNKNOWN_METHOD',
  'BAD_INPUT',
  'UNAUTHENTICATED',
  'SESSION_LOCKED',
  'FORBIDDEN',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'PASSWORD_CHANGE_REQUIRED',
  'CONFLICT',
  'NOT_FOUND',
  'INVALID_STATE',
  'NOT_ELIGIBLE',
  'UNAVAILABLE',
  'STORE_UNAVAILABLE',
  'DISK_FULL',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface DeskError {
  code: ErrorCode;
  message: string;
  /** For BAD_INPUT: the Chinese message per field path (e.g. "idNumber"). */
  fields?: Record<string, string>;
}

/** Default user-facing text per code; handlers may give a more specific message. */
export const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  BAD_REQUEST: '请求格式不正确，操作未执行。',
  UNKNOWN_METHOD: '不支持的操作，已拒绝执行。',
  BAD_INPUT: '填写的内容不符合要求，操作未执行。',
  UNAUTHENTICATED: '请先登录。',
  SESSION_LOCKED: '长时间未操作，工作台已锁定，请输入密码解锁。',
  FORBIDDEN: '当前账号的角色无权进行此操作。',
  INVALID_CREDENTIALS: '用户名或密码错误。',
  ACCOUNT_LOCKED: '密码连续输错次数过多，账号已锁定。',
  ACCOUNT_DISABLED: '该账号已停用，请联系管理员。',
  PASSWORD_CHANGE_REQUIRED: '请先修改密码：本账号仍在使用演示密码，正式环境中修改密码后才能办理业务。',
  CONFLICT: '数据已存在或已被修改，操作未执行。',
  NOT_FOUND: '要操作的记录不存在。',
  INVALID_STATE: '当前状态下不能进行此操作。',
  NOT_ELIGIBLE: '申请人不符合适用条件。',
  UNAVAILABLE: '外部系统暂时无法连接，请稍后重试。',
  STORE_UNAVAILABLE: '本地数据库不可用，请按恢复页面的提示处理。',
  DISK_FULL: '本机磁盘空间已满，本次操作未保存。请清理磁盘（或联系管理员）后重试，已保存的数据不受影响。',
  INTERNAL: '系统内部错误，操作未执行，请联系管理员。',
};

export function isDeskError(value: unknown): value is DeskError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DeskError).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as DeskError).code) &&
    typeof (value as DeskError).message === 'string'
  );
}
