import { useCallback, useEffect, useState } from 'react';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { call } from '../../ipc/client';
import { deskTime } from '../../lib/time';

export type Status = MethodOutput<'transfer.status'>;
export type History = MethodOutput<'transfer.history'>;
export type Waiting = MethodOutput<'transfer.waiting'>['items'];
export type Received = MethodOutput<'transfer.received'>['cases'];

/** Everything the transfer page shows, polled while it is open (the drop folder may bring bundles in). */
export function useTransfer() {
  const [status, setStatus] = useState<Status | null>(null);
  const [history, setHistory] = useState<History | null>(null);
  const [waiting, setWaiting] = useState<Waiting>([]);
  const [received, setReceived] = useState<Received>([]);
  const reload = useCallback(async () => {
    const [s, h, w, r] = await Promise.all([call('transfer.status', {}), call('transfer.history', {}), call('transfer.waiting', {}), call('transfer.received', {})]);
    setStatus(s);
    setHistory(h);
    setWaiting(w.items);
    setReceived(r.cases);
  }, []);
  useEffect(() => {
    void reload();
    const t = window.setInterval(() => void reload().catch(() => undefined), 3000);
    return () => window.clearInterval(t);
  }, [reload]);
  return { status, history, waiting, received, reload, setStatus };
}

export const formatBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
export const formatTime = (iso: string | null) => deskTime(iso);
