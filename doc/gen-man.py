#!/usr/bin/env python3
"""Man pages for Petrel, generated so they cannot drift from the code.

  gen-man.py api HEADER ERRORS_C DOCSRC OUTDIR VERSION
      one section-3 page per PETREL_API function in HEADER (synopsis and
      summary from the header itself, longer text from DOCSRC), plus the
      petrel(3) overview with the error table read from ERRORS_C.
  gen-man.py cli HELP_TEXT DOCSRC OUT VERSION
      petrel(1) from `petrel --help` output and the sections in DOCSRC.

DOCSRC markup (doc/api.txt, doc/petrel.1.txt): "@ name" starts an entry;
"brief: text" replaces the header comment; "types: NAME ..." adds the enum,
struct, typedef or #define holding NAME to the synopsis; "see: name ..."
adds to SEE ALSO; "== TITLE" starts a section; "%errors nonfatal|fatal|all"
lists error codes from the library's table; "TERM :: text" is a tagged
paragraph, "- text" a bullet, a line indented by 4 spaces is literal, a
blank line ends a paragraph; `code` is set in bold. An entry for a name the
header does not declare is an error (that is the drift check).
"""
import os
import re
import sys
import textwrap
import time

FN_RE = re.compile(r'\b(petrel_\w+)\s*\(')


def die(msg):
    sys.stderr.write('gen-man: %s\n' % msg)
    sys.exit(1)


# ---------------------------------------------------------------- header
def parse_header(text):
    """Elements in order: dicts with kind, names, text, comment, section."""
    lines = text.split('\n')
    elems = []
    section = 'General'
    comment = None  # nearest comment in the current blank-line block
    fresh = None    # the comment just before this line, if any
    prev_dashes = False
    i = 0
    while i < len(lines):
        line = lines[i]
        st = line.strip()
        if st == '':
            comment = fresh = None
            i += 1
            continue
        if st.startswith('/*'):
            buf = [line]
            while '*/' not in lines[i]:
                i += 1
                buf.append(lines[i])
            body = ' '.join(re.sub(r'^\*\s?', '', w.strip()) for w in buf)
            body = re.sub(r'^/\*+\s*', '', body)
            body = re.sub(r'\s*\*+/\s*$', '', body).strip()
            if re.fullmatch(r'-+', body):
                prev_dashes = True
            elif prev_dashes:
                section = body
                prev_dashes = False
            else:
                comment = fresh = body
            i += 1
            continue
        prev_dashes = False
        direct, fresh = fresh, None
        if st in ('extern "C" {', '}'):
            i += 1
            continue
        start = i
        if st.startswith('#'):
            while lines[i].rstrip().endswith('\\'):
                i += 1
            chunk = lines[start:i + 1]
            m = re.match(r'#define\s+(\w+)', st)
            if m and m.group(1).startswith('PETREL_') and not m.group(1).endswith('_H') \
                    and m.group(1) != 'PETREL_API':
                elems.append(dict(kind='define', names=[m.group(1)], text='\n'.join(chunk),
                                  comment=direct, section=section))
            i += 1
            continue
        # a declaration: read to the terminating ';' at brace depth 0
        depth = 0
        while True:
            l = re.sub(r'/\*.*?\*/', '', lines[i])
            depth += l.count('{') - l.count('}')
            if depth <= 0 and l.rstrip().endswith(';'):
                break
            i += 1
            if i >= len(lines):
                break
        chunk = lines[start:i + 1]
        flat = ' '.join(x.strip() for x in chunk)
        if flat.startswith('PETREL_API'):
            m = FN_RE.search(flat)
            if m:
                elems.append(dict(kind='function', names=[m.group(1)], text='\n'.join(chunk),
                                  comment=comment, section=section))
        elif flat.startswith('typedef'):
            m = re.search(r'\(\s*\*\s*(\w+)\s*\)', flat) or re.search(r'(\w+)\s*;\s*$', flat)
            elems.append(dict(kind='type', names=[m.group(1)], text='\n'.join(chunk),
                              comment=direct, section=section))
        elif flat.startswith('struct') or flat.startswith('enum'):
            names = re.findall(r'\b(PETREL_\w+)\s*[=,}]', re.sub(r'/\*.*?\*/', '', flat))
            m = re.match(r'(struct|enum)\s+(\w+)', flat)
            if m:
                names.insert(0, m.group(1) + ' ' + m.group(2))
                names.insert(1, m.group(2))
            elems.append(dict(kind='type', names=names, text='\n'.join(chunk),
                              comment=direct, section=section))
        i += 1
    return elems


def parse_errors(text):
    return [(m.group(1), m.group(2), m.group(3) == '1')
            for m in re.finditer(r'E\((\w+),\s*"((?:[^"\\]|\\.)*)",\s*([01])\)', text)]


# ---------------------------------------------------------------- doc source
def parse_docsrc(text):
    entries, order = {}, []
    cur = None
    for line in text.split('\n'):
        if line.startswith('#'):
            continue
        m = re.match(r'@\s*(\S+)\s*$', line)
        if m:
            cur = dict(name=m.group(1), brief=None, types=[], see=[], sections=[])
            if cur['name'] in entries:
                die('two entries for %s' % cur['name'])
            entries[cur['name']] = cur
            order.append(cur['name'])
            continue
        if cur is None:
            if line.strip():
                die('text before the first entry: %r' % line)
            continue
        if not cur['sections']:
            m = re.match(r'(brief|types|see):\s*(.*)$', line)
            if m:
                if m.group(1) == 'brief':
                    cur['brief'] = m.group(2).strip()
                else:
                    cur[m.group(1)] += m.group(2).split()
                continue
        m = re.match(r'==\s*(.+?)\s*$', line)
        if m:
            cur['sections'].append([m.group(1).upper(), []])
            continue
        if cur['sections']:
            cur['sections'][-1][1].append(line)
        elif line.strip():
            die('%s: text outside a section: %r' % (cur['name'], line))
    return entries, order


# ---------------------------------------------------------------- roff
def esc(text, known=()):
    """Escape running text for roff and set `code` and known names in bold."""
    text = text.replace('\\', '\\e')
    out = []
    for k, part in enumerate(re.split(r'`([^`]*)`', text)):
        if k % 2:
            out.append('\\fB' + part.replace('-', '\\-') + '\\fR')
            continue
        part = re.sub(r'(^|(?<=[\s(\[]))(--?)(?=[A-Za-z0-9])',
                      lambda m: m.group(1) + m.group(2).replace('-', '\\-'), part)

        def bold(m):
            w = m.group(0)
            if w in known:
                return '\\fB%s\\fR' % w
            return w
        part = re.sub(r'\b(?:petrel|PETREL)_\w+', bold, part)
        out.append(part)
    return ''.join(out)


def roff_line(s):
    s = s.rstrip()
    if s.startswith('.') or s.startswith("'"):
        s = '\\&' + s
    return s


def render_block(lines, known, errors):
    """Doc-source section lines to roff lines."""
    out = []
    para = []

    def flush():
        if para:
            out.append('.PP')
            out.append(roff_line(esc(' '.join(para), known)))
            del para[:]
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == '':
            flush()
            i += 1
            continue
        if line.startswith('    ') or line.startswith('\t'):
            flush()
            block = []
            while i < len(lines) and (lines[i].startswith('    ') or lines[i].startswith('\t')
                                      or (lines[i].strip() == '' and i + 1 < len(lines)
                                          and lines[i + 1].startswith('    '))):
                block.append(lines[i][4:] if lines[i].startswith('    ') else lines[i].lstrip('\t'))
                i += 1
            out += ['.PP', '.RS 4', '.nf']
            out += [roff_line(b.replace('\\', '\\e').replace('-', '\\-')) for b in block]
            out += ['.fi', '.RE']
            continue
        m = re.match(r'%errors\s+(nonfatal|fatal|all)\s*$', line)
        if m:
            flush()
            for name, desc, fatal in errors:
                if name == 'SUCCESS':
                    continue
                if m.group(1) == 'all' or (m.group(1) == 'fatal') == fatal:
                    out += ['.TP', '\\fBPETREL_E_%s\\fR' % name,
                            roff_line(esc(desc + ('.' if m.group(1) != 'all' else
                                                  (' (fatal).' if fatal else ' (non-fatal).')),
                                          known))]
            i += 1
            continue
        m = re.match(r'(\S.*?)\s+::\s+(.*)$', line)
        if m:
            flush()
            text = [m.group(2)]
            i += 1
            while i < len(lines) and lines[i].startswith('  ') and not lines[i].startswith('    '):
                text.append(lines[i].strip())
                i += 1
            out += ['.TP', roff_line(esc('`' + m.group(1) + '`' if not m.group(1).startswith('`')
                                         else m.group(1), known)),
                    roff_line(esc(' '.join(text), known))]
            continue
        if line.startswith('- '):
            flush()
            text = [line[2:]]
            i += 1
            while i < len(lines) and lines[i].startswith('  ') and not lines[i].startswith('    '):
                text.append(lines[i].strip())
                i += 1
            out += ['.IP \\(bu 2', roff_line(esc(' '.join(text), known))]
            continue
        para.append(line.strip())
        i += 1
    flush()
    return out


def short_brief(text):
    """A NAME-line summary: parentheticals dropped, cut at a comma when long,
    lower case first unless the first word is an acronym."""
    while True:
        t = re.sub(r'\s*\([^()]*\)', '', text)
        if t == text:
            break
        text = t
    if len(text) > 70 and ', ' in text:
        text = text[:text.index(', ')]
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def page_date(paths):
    epoch = os.environ.get('SOURCE_DATE_EPOCH')
    t = int(epoch) if epoch else int(max(os.path.getmtime(p) for p in paths))
    return time.strftime('%Y-%m-%d', time.gmtime(t))


def th(name, sec, date, version, manual):
    return ['.\\" Generated by doc/gen-man.py; edit include/petrel/petrel.h or doc/ instead.',
            '.TH "%s" "%s" "%s" "petrel %s" "%s"' % (name.upper(), sec, date, version, manual),
            '.\\" Identifiers are long: no hyphenation, ragged right.',
            '.nh', '.ad l']


def first_sentence(text):
    """Up to the first '.' or ';' that ends a clause outside parentheses."""
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch == '(') - (ch == ')')
        if depth == 0 and ch in '.;' and (k + 1 == len(text) or text[k + 1] == ' ') \
                and not text[:k + 1].endswith(('e.g.', 'i.e.')):
            return text[:k]
    return text.rstrip('.')


# ---------------------------------------------------------------- api pages
def gen_api(header_path, errors_path, docsrc_path, outdir, version):
    header = open(header_path).read()
    elems = parse_header(header)
    errors = parse_errors(open(errors_path).read())
    if not errors:
        die('no error table in %s' % errors_path)
    entries, order = parse_docsrc(open(docsrc_path).read())
    funcs = [e for e in elems if e['kind'] == 'function']
    fnames = [f['names'][0] for f in funcs]
    if len(set(fnames)) != len(fnames):
        die('a function is declared twice in the header')
    byname = {}
    for e in elems:
        if e['kind'] != 'function':
            for n in e['names']:
                byname.setdefault(n, e)
    for name in order:
        if name != 'petrel' and name not in fnames:
            die('doc source documents %s, which the header does not declare' % name)
        for t in entries[name]['types']:
            if t not in byname:
                die('%s: types: %s is not in the header' % (name, t))
        for t in entries[name]['see']:
            if t.startswith('petrel') and t not in fnames and t != 'petrel':
                die('%s: see: %s is not in the header' % (name, t))
    known = set(fnames) | set(byname) | {'PETREL_E_' + n for n, _, _ in errors}
    date = page_date([header_path, docsrc_path, errors_path])
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        if old.endswith('.3'):
            os.remove(os.path.join(outdir, old))

    def brief_of(f):
        ent = entries.get(f['names'][0])
        if ent and ent['brief']:
            return ent['brief']
        if f['comment']:
            return short_brief(first_sentence(f['comment']))
        return 'part of the %s API' % f['section'].lower()

    for f in funcs:
        name = f['names'][0]
        ent = entries.get(name, dict(brief=None, types=[], see=[], sections=[]))
        out = th(name, '3', date, version, 'Petrel API')
        out += ['.SH NAME', roff_line('%s \\- %s' % (name, esc(brief_of(f))))]
        out += ['.SH SYNOPSIS', '.nf', '.B #include <petrel/petrel.h>', '.PP']
        shown = []
        wanted = list(ent['types'])
        for t in re.findall(r'\b(petrel_\w+_fn|struct petrel_\w+)\b', f['text']):
            if t in byname and t not in wanted and t.split()[-1] not in ('petrel_session',):
                wanted.append(t)
        for t in wanted:
            e = byname[t]
            if e['kind'] == 'type' and e['text'].lstrip().startswith('typedef struct'):
                continue
            if any(e is s for s in shown):
                continue
            shown.append(e)
            if e['comment']:
                wrapped = textwrap.wrap(e['comment'], 74)
                for k, w in enumerate(wrapped):
                    w = ('/* ' if k == 0 else ' * ') + w + (' */' if k + 1 == len(wrapped) else '')
                    out.append(roff_line(w.replace('\\', '\\e').replace('-', '\\-')))
            out += [roff_line(l.replace('\\', '\\e').replace('\t', '        ').replace('-', '\\-'))
                    for l in e['text'].split('\n')]
            out.append('.PP')
        proto = f['text'].replace('PETREL_API ', '').replace('\\', '\\e')
        proto = re.sub(r'\s+', ' ', proto).strip()
        # Break long prototypes after a comma, aligned under the '('.
        plines, col = [], proto.index('(') + 1
        while len(proto) > 78 and ',' in proto[:78]:
            cut = proto.rindex(',', 0, 78) + 1
            plines.append(proto[:cut])
            proto = ' ' * col + proto[cut:].lstrip()
        plines.append(proto)
        plines = [l.replace(name + '(', '\\fB' + name + '\\fR(', 1) for l in plines]
        out += [roff_line(l.replace('-', '\\-')) for l in plines]
        out.append('.fi')
        out.append('.SH DESCRIPTION')
        secs = list(ent['sections'])
        if f['comment'] and not ent['brief']:
            out += ['.PP', roff_line(esc(f['comment'], known))]
        elif not (secs and secs[0][0] == 'DESCRIPTION'):
            b = ent['brief'] or brief_of(f)
            out += ['.PP', roff_line(esc(b[:1].upper() + b[1:] + '.', known))]
        if secs and secs[0][0] == 'DESCRIPTION':
            out += render_block(secs.pop(0)[1], known, errors)
        for title, body in secs:
            out += ['.SH ' + title] + render_block(body, known, errors)
        see = [s for s in ent['see'] if s != name]
        same = [g['names'][0] for g in funcs if g['section'] == f['section']
                and g['names'][0] != name and g['names'][0] not in see]
        refs = (see or same[:5]) + ['petrel']
        out += ['.SH SEE ALSO', ',\n'.join('.BR %s (3)' % r for r in refs)]
        with open(os.path.join(outdir, name + '.3'), 'w') as fp:
            fp.write('\n'.join(out) + '\n')

    # petrel(3): the overview, one line per function by header section.
    out = th('petrel', '3', date, version, 'Petrel API')
    out += ['.SH NAME', 'petrel \\- a DTLS library for UDP',
            '.SH SYNOPSIS', '.nf', '.B #include <petrel/petrel.h>', '.PP',
            'cc prog.c $(pkg\\-config \\-\\-cflags \\-\\-libs petrel)', '.fi']
    ent = entries.get('petrel')
    secs = list(ent['sections']) if ent else []
    if secs and secs[0][0] == 'DESCRIPTION':
        out += ['.SH DESCRIPTION'] + render_block(secs.pop(0)[1], known, errors)
    out.append('.SH FUNCTIONS')
    cur = None
    for f in funcs:
        if f['section'] != cur:
            cur = f['section']
            out += ['.SS ' + esc(cur)]
        out += ['.TP', '.BR %s (3)' % f['names'][0], roff_line(esc(brief_of(f), known))]
    out += ['.SH ERRORS', '.PP',
            'Every call returns zero or a positive value on success, or one of these',
            'negative codes; the non-fatal ones mean "call again".']
    out += render_block(['%errors all'], known, errors)
    for title, body in secs:
        out += ['.SH ' + title] + render_block(body, known, errors)
    out += ['.SH SEE ALSO', '.BR petrel (1),', '.BR petrel_handshake (3)']
    with open(os.path.join(outdir, 'petrel.3'), 'w') as fp:
        fp.write('\n'.join(out) + '\n')


# ---------------------------------------------------------------- petrel(1)
def help_sections(help_lines):
    """`petrel --help` text: "title: [text]" lines open a section; lines
    indented by 1-5 spaces are "TERM  text" items (two spaces apart);
    deeper lines continue the previous item."""
    sections = []
    for line in help_lines:
        if not line.strip() or line.lower().startswith('usage:'):
            continue
        m = re.match(r'([A-Za-z][\w ]*):\s*(.*)$', line)
        if m and not line.startswith(' '):
            sections.append((m.group(1), [(None, m.group(2))] if m.group(2) else []))
            continue
        if not sections:
            sections.append(('description', []))
        items = sections[-1][1]
        indent = len(line) - len(line.lstrip())
        m = re.match(r'\s*(\S.*?)(?:\s{2,}(\S.*))?$', line)
        if indent < 6 or not items:
            items.append((m.group(1), m.group(2) or ''))
        else:
            term, text = items[-1]
            items[-1] = (term, (text + ' ' + line.strip()).strip())
    return sections


def gen_cli(help_path, docsrc_path, out_path, version):
    help_lines = open(help_path).read().rstrip('\n').split('\n')
    entries, _ = parse_docsrc(open(docsrc_path).read())
    if 'petrel' not in entries:
        die('%s has no "@ petrel" entry' % docsrc_path)
    ent = entries['petrel']
    usage = [l.split(':', 1)[1].strip() for l in help_lines if l.lower().startswith('usage:')]
    if not usage:
        die('no "usage:" line in the help text')
    date = page_date([docsrc_path])  # the help text is a fresh temporary file
    out = th('petrel', '1', date, version, 'Petrel manual')
    out += ['.SH NAME', roff_line('petrel \\- ' + esc(ent['brief'] or 'DTLS client and server'))]
    out += ['.SH SYNOPSIS']
    for u in usage:
        out += ['.PP', roff_line(esc(u))]
    secs = list(ent['sections'])
    if secs and secs[0][0] == 'DESCRIPTION':
        out += ['.SH DESCRIPTION'] + render_block(secs.pop(0)[1], set(), [])
    for title, items in help_sections(help_lines):
        out.append('.SH ' + esc(title.upper()))
        for term, text in items:
            if term is None:
                out += ['.PP', roff_line(esc(text[:1].upper() + text[1:] + '.'))]
                continue
            out += ['.TP', roff_line('\\fB' + esc(term) + '\\fR')]
            if text:
                out.append(roff_line(esc(text)))
    for title, body in secs:
        out += ['.SH ' + title] + render_block(body, set(), [])
    refs = []
    for s_ in ent['see'] or ['petrel(3)']:
        m = re.match(r'([\w.-]+)\((\w+)\)$', s_)
        refs.append('.BR %s (%s)' % (m.group(1), m.group(2)) if m else '.BR %s (3)' % s_)
    out += ['.SH SEE ALSO', ',\n'.join(refs)]
    with open(out_path, 'w') as fp:
        fp.write('\n'.join(out) + '\n')


def main(argv):
    if len(argv) == 7 and argv[1] == 'api':
        gen_api(*argv[2:7])
    elif len(argv) == 6 and argv[1] == 'cli':
        gen_cli(*argv[2:6])
    else:
        die('usage: gen-man.py api HEADER ERRORS_C DOCSRC OUTDIR VERSION | '
            'cli HELP DOCSRC OUT VERSION')


if __name__ == '__main__':
    main(sys.argv)
