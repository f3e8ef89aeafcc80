/** Local user roles. Labels are what the hall calls them. */
export const ROLES = ['clerk', 'assistant', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  clerk: '窗口人员',
  assistant: '帮办代办员',
  supervisor: '管理员',
};

/** Roles whose work needs the full ID number (reading it is still audited). */
export const ROLES_THAT_MAY_REVEAL_ID: readonly Role[] = ['clerk', 'supervisor'];
