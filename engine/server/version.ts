/**
 * What srvr/stat/mntr/envi and the AdminServer report as the version, in Apache's shape
 * (`<major.minor.micro>-<build id>, built on <yyyy-MM-dd HH:mm zz>`). Monitors parse the leading 3.8.x to decide which
 * features a server has; we implement 3.8.6 semantics (exists checks READ, watch events are ACL-filtered).
 */
export const ZOOKEEPER_COMPATIBLE_VERSION = '3.8.6'
export const ZOODESK_VERSION = `${ZOOKEEPER_COMPATIBLE_VERSION}-zoodesk, built on 2026-11-25 00:00 UTC`
