/* rtevents.h: the Open WebUI Socket.IO event handlers of streamd
 * (Python's socket/main.py): sessions bound to users through the internal
 * route POST /_streamd/auth, the user and channel rooms, model usage, and
 * the re-validation of bound users every CWEBUI_STREAMD_USER_RECHECK
 * seconds (RTEV_RECHECK by default). rt_usage_
 * models(), rt_active_user_ids(), rt_user_active(), rt_session_of() and
 * the listeners of rt_listen() (rt.h) live here. */
#ifndef CWEBUI_RTEVENTS_H
#define CWEBUI_RTEVENTS_H

#define RTEV_RECHECK		30	/* s between checks of a bound user */
#define RTEV_USAGE_TIMEOUT	3	/* s, Python's TIMEOUT_DURATION */

/* Reads CWEBUI_STREAMD_USER_RECHECK and starts Socket.IO (siosrv_init)
 * with these handlers. Call once. */
void	 rtevents_init(void);

#endif
