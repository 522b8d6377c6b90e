# The inmate library and demos (inmates/README.md), included by the guests Makefile.
# Each demo becomes <name>.elf (for inspection) and <name>.bin (what `jailhouse cell load` copies to GPA 0).
# Cell configurations in configs/*.yaml are compiled with the project's own compiler.

INMATE_DEMOS    := tiny-demo timer-demo uart-demo locked-demo mem-violation ipi-violation ivshmem-demo net-demo \
                   net-hostile virtio-console-demo virtio-blk-demo
INMATE_LIB_SRCS := inmates/lib/header.S inmates/lib/setup.c inmates/lib/cmdline.c inmates/lib/timer.c \
                   inmates/lib/irq.c inmates/lib/comm.c inmates/lib/pci.c inmates/lib/ivshmem.c \
                   inmates/lib/net.c $(NET_SRCS) inmates/lib/virtio-ivshmem.c inmates/lib/virtio-console.c \
                   inmates/lib/virtio-blk.c lib/printf.c lib/string.c
INMATE_LIB_OBJS := $(patsubst %,$(BUILD)/%.o,$(INMATE_LIB_SRCS))
# An archive, as Jailhouse's inmates/lib: a demo links only the parts it uses (header.S always, as _start).
INMATE_LIB      := $(BUILD)/inmates/libinmate.a
CONFIGS         := $(basename $(notdir $(wildcard configs/*.yaml)))
JAILHOUSE_LAB   ?= node ../bin/jailhouse-lab.mjs

# Outputs besides the <program>.elf files, relative to $(OUT); `make check` compares them too.
EXTRA_OUTPUTS += $(foreach d,$(INMATE_DEMOS),inmates/$(d).elf inmates/$(d).bin) $(patsubst %,configs/%.cell,$(CONFIGS))

$(BUILD)/inmates/%.c.o: CFLAGS += -Iinmates/lib
# (explicit targets: a pattern rule without a recipe would not add these prerequisites)
$(patsubst %,$(BUILD)/inmates/demos/%.c.o,$(INMATE_DEMOS)) $(filter $(BUILD)/inmates/% $(BUILD)/net/%,$(INMATE_LIB_OBJS)): $(wildcard inmates/lib/*.h net/*.h)
$(BUILD)/inmates/%.c.o: CFLAGS += -I.

$(INMATE_LIB): $(INMATE_LIB_OBJS)
	rm -f $@
	$(CROSS)ar crD $@ $^

$(OUT)/inmates/%.elf: $(BUILD)/inmates/demos/%.c.o $(INMATE_LIB) inmates/lib/inmate.ld
	@mkdir -p $(dir $@)
	$(CC) $(ARCH) -nostdlib -nostartfiles -static -T inmates/lib/inmate.ld -Wl,--build-id=none \
	  -Wl,--no-warn-rwx-segments -Wl,-u,_start -o $@ $< $(INMATE_LIB)

$(OUT)/inmates/%.bin: $(OUT)/inmates/%.elf
	$(CROSS)objcopy -O binary $< $@

$(OUT)/configs/%.cell: configs/%.yaml
	@mkdir -p $(dir $@)
	$(JAILHOUSE_LAB) config compile $< -o $@

# The virtio-blk lab's disk: 256 KiB, a label in sector 0, zeros elsewhere (the demo writes sector 1).
EXTRA_OUTPUTS += disks/virtio-blk.img
$(OUT)/disks/virtio-blk.img: inmates/inmates.mk
	@mkdir -p $(dir $@)
	printf 'Jailhouse Lab virtio-blk demo disk\n' > $@
	truncate -s 256K $@
