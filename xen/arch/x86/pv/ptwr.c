/*
 * Writable page tables: a guest kernel's write to one of its own live L1
 * tables (mapped read-only, since the frame is typed L1) faults; the write
 * is decoded, applied to the 8-byte entry, validated like an mmu_update and
 * committed, and the instruction is skipped. Linux writes PTEs with mov,
 * xchg, lock and/or, lock btr/bts and lock cmpxchg; those, their arithmetic
 * siblings and xadd are decoded here. Anything else faults to the guest.
 */
#include <asm/cpu.h>
#include <xenolith/guest_access.h>
#include <xenolith/mm.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define FLAG_CF (1UL << 0)
#define FLAG_PF (1UL << 2)
#define FLAG_AF (1UL << 4)
#define FLAG_ZF (1UL << 6)
#define FLAG_SF (1UL << 7)
#define FLAG_OF (1UL << 11)
#define ARITH_FLAGS (FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF)

enum op { OP_MOV, OP_XCHG, OP_ADD, OP_OR, OP_AND, OP_SUB, OP_XOR, OP_BTS, OP_BTR, OP_BTC,
          OP_CMPXCHG, OP_XADD };

struct decoded {
    enum op op;
    unsigned size;    /* operand bytes */
    bool src_is_reg;
    unsigned reg;     /* the register operand (modrm.reg + REX.R) */
    uint64_t imm;
    unsigned len;     /* instruction bytes */
};

/* A register operand's value; without REX, byte registers 4-7 are AH CH DH BH. */
static uint64_t reg_read(struct cpu_regs *r, unsigned n, unsigned size, bool rex)
{
    if (size == 1 && !rex && n >= 4 && n < 8)
        return (*regs_gpr(r, n - 4) >> 8) & 0xff;
    return *regs_gpr(r, n) & (size == 8 ? ~0UL : (1UL << (size * 8)) - 1);
}

static void reg_write(struct cpu_regs *r, unsigned n, unsigned size, bool rex, uint64_t v)
{
    uint64_t *g;

    if (size == 1 && !rex && n >= 4 && n < 8) {
        g = regs_gpr(r, n - 4);
        *g = (*g & ~0xff00UL) | ((v & 0xff) << 8);
        return;
    }
    g = regs_gpr(r, n);
    if (size == 8 || size == 4)
        *g = size == 8 ? v : (uint32_t)v; /* 32-bit writes zero-extend */
    else
        *g = (*g & ~((1UL << (size * 8)) - 1)) | (v & ((1UL << (size * 8)) - 1));
}

/* Skips modrm, SIB and displacement of a memory operand; -1 for a register operand. */
static int modrm_length(const uint8_t *p, unsigned avail)
{
    unsigned mod, rm, len = 1;

    if (!avail)
        return -1;
    mod = p[0] >> 6;
    rm = p[0] & 7;
    if (mod == 3)
        return -1;
    if (rm == 4) {
        if (avail < 2)
            return -1;
        len++;
        if (mod == 0 && (p[1] & 7) == 5)
            len += 4;
    } else if (mod == 0 && rm == 5) {
        len += 4;
    }
    if (mod == 1)
        len += 1;
    else if (mod == 2)
        len += 4;
    return (int)len;
}

static bool decode(const uint8_t *b, unsigned avail, struct decoded *d, uint8_t *rex_out)
{
    unsigned i = 0, immsz = 0, opsize = 4;
    uint8_t rex = 0, op, op2 = 0;
    int mlen;

    while (i < avail && (b[i] == 0xf0 || b[i] == 0x66 || b[i] == 0x2e || b[i] == 0x3e ||
                         b[i] == 0x26 || b[i] == 0x36 || b[i] == 0x64 || b[i] == 0x65)) {
        if (b[i] == 0x66)
            opsize = 2;
        i++;
    }
    if (i < avail && (b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (rex & 8)
        opsize = 8;
    if (i >= avail)
        return false;
    op = b[i++];
    if (op == 0x0f) {
        if (i >= avail)
            return false;
        op2 = b[i++];
    }
    *rex_out = rex;
    if (i >= avail)
        return false;
    d->reg = ((b[i] >> 3) & 7) | ((rex & 4) << 1);
    d->src_is_reg = true;
    d->size = opsize;
    if (!op2) {
        static const enum op alu[8] = { OP_ADD, OP_OR, (enum op)-1, (enum op)-1, OP_AND, OP_SUB, OP_XOR, (enum op)-1 };

        switch (op) {
        case 0x88: case 0x89: d->op = OP_MOV; break;
        case 0x86: case 0x87: d->op = OP_XCHG; break;
        case 0x00: case 0x01: d->op = OP_ADD; break;
        case 0x08: case 0x09: d->op = OP_OR; break;
        case 0x20: case 0x21: d->op = OP_AND; break;
        case 0x28: case 0x29: d->op = OP_SUB; break;
        case 0x30: case 0x31: d->op = OP_XOR; break;
        case 0xc6: case 0xc7:
            if ((b[i] >> 3) & 7)
                return false;
            d->op = OP_MOV;
            d->src_is_reg = false;
            immsz = op == 0xc6 ? 1 : opsize == 2 ? 2 : 4;
            break;
        case 0x80: case 0x81: case 0x83:
            if ((int)alu[(b[i] >> 3) & 7] < 0)
                return false;
            d->op = alu[(b[i] >> 3) & 7];
            d->src_is_reg = false;
            immsz = op == 0x81 ? (opsize == 2 ? 2 : 4) : 1;
            break;
        default:
            return false;
        }
        if (!(op & 1))
            d->size = 1; /* the even opcodes are the byte forms */
    } else {
        switch (op2) {
        case 0xab: d->op = OP_BTS; break;
        case 0xb3: d->op = OP_BTR; break;
        case 0xbb: d->op = OP_BTC; break;
        case 0xb0: case 0xb1: d->op = OP_CMPXCHG; break;
        case 0xc0: case 0xc1: d->op = OP_XADD; break;
        case 0xba:
            switch ((b[i] >> 3) & 7) {
            case 5: d->op = OP_BTS; break;
            case 6: d->op = OP_BTR; break;
            case 7: d->op = OP_BTC; break;
            default: return false;
            }
            d->src_is_reg = false;
            immsz = 1;
            break;
        default:
            return false;
        }
        if (op2 == 0xb0 || op2 == 0xc0)
            d->size = 1;
    }
    mlen = modrm_length(b + i, avail - i);
    if (mlen < 0 || i + mlen + immsz > avail)
        return false;
    i += mlen;
    d->imm = 0;
    if (immsz) {
        int64_t v = 0;

        memcpy(&v, b + i, immsz);
        /* Immediates sign-extend to the operand size. */
        v = immsz == 1 ? (int8_t)v : immsz == 2 ? (int16_t)v : (int32_t)v;
        d->imm = (uint64_t)v;
        i += immsz;
    }
    d->len = i;
    return true;
}

static uint64_t size_mask(unsigned size)
{
    return size == 8 ? ~0UL : (1UL << (size * 8)) - 1;
}

static uint64_t logic_flags(uint64_t v, unsigned size)
{
    uint64_t f = 0;

    v &= size_mask(size);
    if (!v)
        f |= FLAG_ZF;
    if (v >> (size * 8 - 1))
        f |= FLAG_SF;
    if (!(__builtin_popcount((unsigned)(v & 0xff)) & 1))
        f |= FLAG_PF;
    return f;
}

static uint64_t add_flags(uint64_t a, uint64_t b, uint64_t res, unsigned size, bool sub)
{
    uint64_t m = size_mask(size), sign = 1UL << (size * 8 - 1), f = logic_flags(res, size);

    a &= m, b &= m, res &= m;
    if (sub ? b > a : res < a)
        f |= FLAG_CF;
    if (sub ? ((a ^ b) & (a ^ res) & sign) : (~(a ^ b) & (a ^ res) & sign))
        f |= FLAG_OF;
    if ((a ^ b ^ res) & 0x10)
        f |= FLAG_AF;
    return f;
}

/* A register result, written only once the entry is committed. */
struct reg_result {
    bool pending;
    unsigned reg;
    uint64_t val;
};

/* Applies d to cur (the operand's old bytes); returns false when nothing is written. */
static bool apply(struct cpu_regs *r, const struct decoded *d, bool rex, uint64_t cur,
                  uint64_t *out, uint64_t *flags, struct reg_result *rr)
{
    uint64_t src = d->src_is_reg ? reg_read(r, d->reg, d->size, rex) : d->imm & size_mask(d->size);
    uint64_t bit = src % (d->size * 8), res = 0;

    *flags = r->rflags & ARITH_FLAGS;
    switch (d->op) {
    case OP_MOV: res = src; break;
    case OP_XCHG: res = src; *rr = (struct reg_result){ true, d->reg, cur }; break;
    case OP_ADD: res = cur + src; *flags = add_flags(cur, src, res, d->size, false); break;
    case OP_SUB: res = cur - src; *flags = add_flags(cur, src, res, d->size, true); break;
    case OP_OR: res = cur | src; *flags = logic_flags(res, d->size); break;
    case OP_AND: res = cur & src; *flags = logic_flags(res, d->size); break;
    case OP_XOR: res = cur ^ src; *flags = logic_flags(res, d->size); break;
    case OP_BTS: case OP_BTR: case OP_BTC:
        if (d->src_is_reg && src >= d->size * 8)
            return false; /* a bit string beyond this operand: not a PTE update */
        *flags = (*flags & ~FLAG_CF) | ((cur >> bit) & 1 ? FLAG_CF : 0);
        res = d->op == OP_BTS ? cur | (1UL << bit) : d->op == OP_BTR ? cur & ~(1UL << bit)
                                                                      : cur ^ (1UL << bit);
        break;
    case OP_CMPXCHG: {
        uint64_t acc = r->rax & size_mask(d->size);

        *flags = add_flags(acc, cur, acc - cur, d->size, true);
        if (acc != cur) {
            *rr = (struct reg_result){ true, 0, cur }; /* RAX gets the entry's value */
            return false;
        }
        res = src;
        break;
    }
    case OP_XADD:
        res = cur + src;
        *flags = add_flags(cur, src, res, d->size, false);
        *rr = (struct reg_result){ true, d->reg, cur };
        break;
    }
    *out = res & size_mask(d->size);
    return true;
}

/* The L1 table frame that the faulting address lies in, if it is a live one of d's. */
static pte_t *target_slot(uint64_t addr, struct domain *d)
{
    pte_t *t = maddr_to_virt(read_cr3() & PADDR_MASK), e = 0;
    struct page_info *pg;

    for (int shift = L4_SHIFT; shift >= L1_SHIFT; shift -= 9) {
        e = t[PT_INDEX(addr, shift)];
        if (!(e & _PAGE_PRESENT) || (shift > L1_SHIFT && (e & _PAGE_PSE)))
            return NULL;
        t = maddr_to_virt(e & PADDR_MASK);
    }
    pg = mfn_to_page((e & PADDR_MASK) >> PAGE_SHIFT);
    if (!pg || pg->state != FRAME_DOMAIN || pg->owner != d->domain_id ||
        pg->type != PGT_l1 || !pg->type_count)
        return NULL;
    return (pte_t *)((uint8_t *)t + (addr & (PAGE_SIZE - 1) & ~7UL));
}

static bool ptwr_emulate_locked(struct cpu_regs *r, uint64_t addr)
{
    struct domain *d = current->domain;
    uint8_t insn[16];
    unsigned avail = sizeof(insn), shift;
    struct decoded dec;
    uint8_t rex;
    pte_t *slot = target_slot(addr, d), old, new;
    uint64_t part, flags, m;
    struct reg_result rr = { false, 0, 0 };

    if (!slot)
        return false;
    if (copy_from_guest(insn, r->rip, avail)) {
        avail = PAGE_SIZE - (r->rip & (PAGE_SIZE - 1));
        if (avail >= sizeof(insn) || copy_from_guest(insn, r->rip, avail))
            return false;
    }
    if (!decode(insn, avail, &dec, &rex))
        return false;
    shift = (addr & 7) * 8;
    if ((addr & 7) + dec.size > 8)
        return false;
    old = *slot;
    m = size_mask(dec.size);
    if (apply(r, &dec, rex != 0, (old >> shift) & m, &part, &flags, &rr)) {
        new = (old & ~(m << shift)) | (part << shift);
        if (mod_entry(slot, 1, new, d, false))
            return false; /* the guest gets its #PF, its registers untouched */
    }
    if (rr.pending)
        reg_write(r, rr.reg, dec.size, rex != 0, rr.val);
    r->rflags = (r->rflags & ~ARITH_FLAGS) | flags;
    r->rip += dec.len;
    return true;
}

bool pv_ptwr_emulate(struct cpu_regs *r, uint64_t addr)
{
    bool done;

    mm_lock();
    done = ptwr_emulate_locked(r, addr);
    mm_unlock();
    return done;
}
