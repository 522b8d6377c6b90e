# Configs written in C with guests/include/jailhouse/cell-config.h, the way Jailhouse builds its own
# (compile, keep the data section): the real RISC-V port's qemu-plic-mc and qemu-inmate-demo values.
# Included by the guests Makefile; `make check` compares the .cell outputs too.

C_CONFIGS := qemu-plic-mc qemu-inmate-demo
EXTRA_OUTPUTS += $(patsubst %,configs/%.cell,$(C_CONFIGS))

$(BUILD)/configs/c/%.o: configs/c/%.c configs/c/qemu-layout.h include/jailhouse/cell-config.h
	@mkdir -p $(dir $@)
	$(CC) $(ARCH) -O2 -g0 -ffreestanding -fno-common -Wall -Wextra -Iinclude -c $< -o $@

$(OUT)/configs/%.cell: $(BUILD)/configs/c/%.o
	@mkdir -p $(dir $@)
	$(CROSS)objcopy -O binary -j .data $< $@
