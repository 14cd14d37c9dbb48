/* fuzz_gift.c: libFuzzer harness for the GIFT question reader (src/domain/qformat_gift.c).
 * Reads the input as a whole file and checks what every reader promises: a refusal says why; every
 * kept question passes the rules (qformat_check), has a name, a text and a line within the file;
 * every problem has a line and a reason.
 * Never: writes files.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "domain/qformat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  q_file f;
  q_file_init(&f);
  int lines = 1;
  for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
  if (qformat_gift(&f, (const char *)data, size) != 0) {
    if (!f.fatal || !f.fatal[0]) __builtin_trap();
  } else {
    for (int i = 0; i < f.nitems; i++) {
      const q_item *q = &f.items[i];
      if (qformat_check(q) || !q->name || !q->text || q->line < 1 || q->line > lines) __builtin_trap();
      for (int k = 0; k < q->nanswers; k++) (void)strlen(q->answers[k].text);
    }
    for (int i = 0; i < f.nproblems; i++)
      if (f.problems[i].line < 1 || f.problems[i].line > lines || !f.problems[i].reason[0]) __builtin_trap();
  }
  q_file_free(&f);
  return 0;
}
