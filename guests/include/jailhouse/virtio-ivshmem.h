/* jailhouse/virtio-ivshmem.h - virtio over ivshmem (shared/spec/virtio-ivshmem.md): the header at the start
 * of the R/W section, the split virtqueue layout (virtio 1.x, 2.7) and the console and block device
 * definitions both ends use.  One definition for the inmate library's front-ends and the root-cell OS's
 * back-ends; docs/virtio-ivshmem.md explains the choices where the spec is silent. */
#ifndef JAILHOUSE_VIRTIO_IVSHMEM_H
#define JAILHOUSE_VIRTIO_IVSHMEM_H

#include <stdint.h>

/* ivshmem protocol ids: front-end (driver) and back-end (device) of a virtio device id. */
#define VIRTIO_PROTO_FRONT(id) (0x8000 + (id))
#define VIRTIO_PROTO_BACK(id)  (0xc000 + (id))
#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3

/* Peer states in the state table. */
#define VIRTIO_STATE_RESET 0
#define VIRTIO_STATE_READY 1

/* The header (R/W section offset 0); ring addresses are offsets within the R/W section. */
struct virtio_ivshmem_header {
	uint32_t revision;              /* 0 */
	uint32_t size;                  /* 4: header + device config */
	uint32_t write_transaction;     /* 8: offset of the field the front-end wrote; 0 when done */
	uint32_t device_features;       /* 12 */
	uint32_t device_features_sel;   /* 16 */
	uint32_t driver_features;       /* 20 */
	uint32_t driver_features_sel;   /* 24 */
	uint32_t queue_sel;             /* 28 */
	uint16_t queue_size;            /* 32 */
	uint16_t queue_device_vector;   /* 34 */
	uint16_t queue_driver_vector;   /* 36 */
	uint16_t queue_enable;          /* 38 */
	uint64_t queue_desc;            /* 40 */
	uint64_t queue_driver;          /* 48 */
	uint64_t queue_device;          /* 56 */
	uint8_t config_event;           /* 64 */
	uint8_t queue_event;            /* 65 */
	uint8_t reserved[2];
	uint32_t device_status;         /* 68 */
	uint32_t config_generation;     /* 72 */
	/* 76: device-specific configuration */
};
#define VI_CONFIG_OFFSET 76

#define VI_OFF_DEVICE_FEATURES_SEL  16
#define VI_OFF_DRIVER_FEATURES      20
#define VI_OFF_DRIVER_FEATURES_SEL  24
#define VI_OFF_QUEUE_SEL            28
#define VI_OFF_QUEUE_SIZE           32
#define VI_OFF_QUEUE_DRIVER_VECTOR  36
#define VI_OFF_QUEUE_ENABLE         38
#define VI_OFF_QUEUE_DESC           40
#define VI_OFF_QUEUE_DRIVER         48
#define VI_OFF_QUEUE_DEVICE         56
#define VI_OFF_DEVICE_STATUS        68

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE  1
#define VIRTIO_STATUS_DRIVER       2
#define VIRTIO_STATUS_DRIVER_OK    4
#define VIRTIO_STATUS_FEATURES_OK  8
#define VIRTIO_STATUS_NEEDS_RESET  0x40
#define VIRTIO_STATUS_FAILED       0x80
#define VIRTIO_STATUS_RUNNING      0xf   /* ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK */

/* Feature bits (bit numbers). */
#define VIRTIO_F_VERSION_1         32
#define VIRTIO_F_ACCESS_PLATFORM   33
#define VIRTIO_F_ORDER_PLATFORM    36
#define VIRTIO_CONSOLE_F_SIZE      0
#define VIRTIO_BLK_F_SIZE_MAX      1
#define VIRTIO_BLK_F_SEG_MAX       2
#define VIRTIO_BLK_F_FLUSH         9

/* Split virtqueue. */
#define VRING_DESC_F_NEXT  1
#define VRING_DESC_F_WRITE 2
struct vring_desc {
	uint64_t addr;                  /* offset in the R/W section */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};
struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};
struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

/* virtio-console (5.3): queue 0 receiveq (device -> driver), queue 1 transmitq. */
struct virtio_console_config {
	uint16_t cols, rows;
	uint32_t max_nr_ports;
	uint32_t emerg_wr;
};

/* virtio-blk (5.2): one request queue. */
struct virtio_blk_config {
	/* capacity in 512-byte sectors, a u64 kept as two u32: the config starts at offset 76, so a 64-bit
	 * access to it would be misaligned */
	uint32_t capacity_lo, capacity_hi;
	uint32_t size_max;              /* largest segment, bytes */
	uint32_t seg_max;               /* data segments per request */
};
#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
struct virtio_blk_req_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

#endif
