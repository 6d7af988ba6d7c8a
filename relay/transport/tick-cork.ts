import type { Socket } from 'node:net';

/**
 * Holds a socket's writes until the end of the current tick, so every frame queued in one turn
 * of the event loop (a response plus the events it caused) leaves in one writev syscall
 * instead of one each.
 */
export function tickCorker(socket: Socket): () => void {
  let corked = false;
  const release = () => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    process.nextTick(release);
  };
}
