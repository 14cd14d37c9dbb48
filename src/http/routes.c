/* routes.c: the route table. One row per endpoint: method, path, handler, who may call it
 * (capability and the unit it must hold on), declared input, CSRF and rate class, and what
 * the OpenAPI document says of it. Adding an endpoint is adding a row; auditing who may call
 * what is reading this file. The dispatcher (router.c) enforces every column.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/attachments.h"
#include "http/handlers.h"
#include "http/http.h"

/* Rows may leave out the trailing members of `struct route` (they default to 0/NULL). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define PAGING {"page", FT_INT, false, 1, 1000000, "Trang (từ 1)"}, \
               {"per_page", FT_INT, false, 1, 200, "Số mục mỗi trang (tối đa 200)"}

static const field_spec login_body[] = {
    {"username", FT_STRING, true, 1, 64, "Tên đăng nhập"},
    {"password", FT_STRING, true, 1, 256, "Mật khẩu"},
    {0},
};
static const field_spec password_body[] = {
    {"current_password", FT_STRING, true, 1, 256, "Mật khẩu hiện tại"},
    {"new_password", FT_STRING, true, 1, 256, "Mật khẩu mới (ít nhất 8 ký tự)"},
    {0},
};
static const field_spec units_query[] = {
    {"parent_id", FT_INT, false, 1, INT64_MAX, "Chỉ lấy các đơn vị con trực tiếp của đơn vị này"},
    {"q", FT_STRING, false, 1, 100, "Tìm theo tên (không phân biệt dấu, hiểu chữ viết tắt như TDP, THCS) hoặc mã"},
    PAGING,
    {0},
};
static const field_spec unit_create_body[] = {
    {"parent_id", FT_INT, true, 1, INT64_MAX, "Đơn vị cấp trên"},
    {"kind", FT_STRING, true, 1, 40, "Loại đơn vị (xem /api/v1/meta)"},
    {"name", FT_NAME, true, 1, 200, "Tên đơn vị"},
    {"code", FT_STRING, false, 0, 64, "Mã đơn vị, duy nhất"},
    {0},
};
static const field_spec unit_update_body[] = {
    {"kind", FT_STRING, false, 1, 40, "Loại đơn vị"},
    {"name", FT_NAME, false, 1, 200, "Tên đơn vị"},
    {"code", FT_STRING, false, 0, 64, "Mã đơn vị; chuỗi rỗng để xóa mã"},
    {0},
};
static const field_spec users_query[] = {
    {"q", FT_STRING, false, 1, 100, "Tìm theo tên đăng nhập hoặc họ tên"},
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các tài khoản thuộc cây đơn vị này"},
    {"after", FT_STRING, false, 1, 64,
     "Trang tiếp theo sau tên đăng nhập này (giá trị `next` của trang trước); khi có thì không đếm `total`"},
    PAGING,
    {0},
};
static const field_spec user_create_body[] = {
    {"username", FT_STRING, true, 1, 32, "Tên đăng nhập: 3–32 ký tự a-z 0-9 . _ -"},
    {"display_name", FT_NAME, true, 1, 100, "Họ và tên"},
    {"password", FT_STRING, true, 1, 256, "Mật khẩu ban đầu (ít nhất 8 ký tự)"},
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Đơn vị quản lý tài khoản"},
    {0},
};
static const field_spec user_update_body[] = {
    {"display_name", FT_NAME, false, 1, 100, "Họ và tên"},
    {"disabled", FT_BOOL, false, 0, 0, "Khóa (true) hoặc mở khóa (false)"},
    {0},
};
static const field_spec user_password_body[] = {
    {"new_password", FT_STRING, true, 1, 256, "Mật khẩu mới (ít nhất 8 ký tự)"},
    {0},
};
static const field_spec grant_body[] = {
    {"role", FT_STRING, true, 1, 40, "Vai trò (xem /api/v1/meta)"},
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Đơn vị nơi vai trò có hiệu lực (cả cây con)"},
    {0},
};
static const field_spec audit_params[] = {
    {"actor", FT_STRING, false, 1, 64, "Tên đăng nhập người thực hiện"},
    {"action", FT_STRING, false, 1, 64, "Hành động; kết thúc bằng dấu chấm để lọc theo nhóm (user.)"},
    {"entity", FT_STRING, false, 1, 64, "Loại đối tượng"},
    {"entity_id", FT_INT, false, 1, INT64_MAX, "Mã đối tượng (cùng với entity: các mục về đúng đối tượng đó)"},
    {"since", FT_DATE, false, 0, 0, "Từ thời điểm (YYYY-MM-DD, UTC)"},
    {"until", FT_DATE, false, 0, 0, "Đến hết ngày này (YYYY-MM-DD, UTC)"},
    {"name", FT_STRING, false, 1, 100, "Một phần tên người thực hiện, đối tượng hoặc đơn vị, không phân biệt dấu"},
    {"before", FT_INT, false, 1, INT64_MAX, "Các mục cũ hơn mục có mã này (con trỏ `older` của trang trước)"},
    {"after", FT_INT, false, 1, INT64_MAX, "Các mục mới hơn mục có mã này (con trỏ `newer`)"},
    {"per_page", FT_INT, false, 1, 200, "Số mục mỗi trang (tối đa 200)"},
    {0},
};
static const field_spec unit_move_body[] = {
    {"parent_id", FT_INT, true, 1, INT64_MAX, "Đơn vị cấp trên mới"},
    {0},
};
static const field_spec residents_query[] = {
    {"q", FT_STRING, false, 1, 100,
     "Tìm theo họ tên (không phân biệt dấu, hoa thường; đầu các từ), số điện thoại hoặc số CCCD (12 chữ số)"},
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ người đăng ký hoặc có quan hệ (nơi làm việc, học) trong cây đơn vị này"},
    {"group", FT_STRING, false, 1, 40,
     "Nhóm đối tượng: public_staff, students_primary, students_secondary, adults, elderly, workers, traders"},
    {"age_min", FT_INT, false, 0, 150, "Tuổi từ (tính đến hôm nay; chỉ biết năm sinh thì tính từ 1/1)"},
    {"age_max", FT_INT, false, 0, 150, "Tuổi đến"},
    {"sex", FT_STRING, false, 1, 4, "Giới tính: M (Nam) hoặc F (Nữ)"},
    {"vneid_level", FT_INT, false, 0, 2, "Mức định danh điện tử: 0, 1, 2"},
    {"household_id", FT_INT, false, 1, INT64_MAX, "Chỉ thành viên của hộ này"},
    PAGING,
    {0},
};
#define PERSON_FIELDS                                                                                        \
  {"birth_date", FT_STRING, false, 0, 10, "Ngày sinh: dd/mm/yyyy, yyyy-mm-dd hoặc chỉ năm (yyyy); rỗng để xóa"}, \
      {"sex", FT_STRING, false, 0, 4, "Giới tính: M/F hoặc Nam/Nữ; rỗng để xóa"},                              \
      {"cccd", FT_STRING, false, 0, 20, "Số định danh cá nhân (CCCD, 12 chữ số); rỗng để xóa"},                 \
      {"phone", FT_STRING, false, 0, 20, "Số điện thoại; rỗng để xóa"},                                         \
      {"household_id", FT_INT, false, 0, INT64_MAX, "Hộ gia đình (cùng tổ dân phố); 0: không thuộc hộ nào"},    \
      {"relation", FT_STRING, false, 0, 50, "Quan hệ với chủ hộ"},                                              \
      {"vneid_level", FT_INT, false, 0, 2, "Mức định danh điện tử: 0 (chưa có), 1, 2"},                     \
      {"vneid_since", FT_STRING, false, 0, 10,                                                                 \
       "Ngày đạt mức định danh mới (dd/mm/yyyy hoặc yyyy-mm-dd; chỉ cùng với vneid_level thay đổi; mặc định hôm nay)"}
static const field_spec resident_create_body[] = {
    {"full_name", FT_NAME, true, 1, 100, "Họ và tên"},
    {"unit_id", FT_INT, true, 1, INT64_MAX,
     "Đơn vị đăng ký: tổ dân phố của hộ (người cư trú), nơi làm việc hoặc trường (người không cư trú)"},
    PERSON_FIELDS,
    {0},
};
static const field_spec resident_update_body[] = {
    {"full_name", FT_NAME, false, 1, 100, "Họ và tên"},
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chuyển sang đơn vị đăng ký khác (cần quyền ở cả hai đơn vị)"},
    PERSON_FIELDS,
    {0},
};
static const field_spec resident_vneid_body[] = {
    {"vneid_level", FT_INT, true, 0, 2, "Mức định danh điện tử: 0 (chưa có), 1, 2"},
    {"vneid_since", FT_STRING, false, 0, 10,
     "Ngày đạt mức (dd/mm/yyyy hoặc yyyy-mm-dd, không sau hôm nay); mặc định hôm nay; cùng mức đang có: sửa ngày đạt"},
    {0},
};
static const field_spec membership_body[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Đơn vị (nơi làm việc, trường, chợ)"},
    {"kind", FT_STRING, true, 1, 20, "staff (cán bộ), student (học sinh), worker (người lao động), trader (tiểu thương)"},
    {"grade", FT_INT, false, 1, 12, "Lớp (học sinh)"},
    {0},
};
static const field_spec households_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các hộ trong cây đơn vị này"},
    {"q", FT_STRING, false, 1, 100, "Một phần địa chỉ (không phân biệt dấu) hoặc đầu mã hộ"},
    PAGING,
    {0},
};
static const field_spec household_create_body[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Tổ dân phố"},
    {"code", FT_STRING, false, 0, 32, "Mã hộ, duy nhất trong tổ dân phố"},
    {"address", FT_STRING, false, 0, 300, "Địa chỉ"},
    {0},
};
static const field_spec household_update_body[] = {
    {"code", FT_STRING, false, 0, 32, "Mã hộ; chuỗi rỗng để xóa mã"},
    {"address", FT_STRING, false, 0, 300, "Địa chỉ"},
    {0},
};
static const field_spec user_person_body[] = {
    {"person_id", FT_INT, true, 0, INT64_MAX, "Hồ sơ người dân của tài khoản; 0 để bỏ liên kết"},
    {0},
};
static const field_spec import_upload_query[] = {
    {"name", FT_STRING, false, 0, 200, "Tên tệp như người dùng chọn (để hiển thị)"},
    {0},
};
#define MAPPING_FIELD(code, label) {code, FT_INT, false, -1, 999, "Cột (0 = A) chứa " label "; -1 để bỏ"}
static const field_spec import_mapping_body[] = {
    MAPPING_FIELD("seq", "STT"),
    MAPPING_FIELD("full_name", "họ và tên"),
    MAPPING_FIELD("birth_date", "ngày sinh"),
    MAPPING_FIELD("sex", "giới tính"),
    MAPPING_FIELD("cccd", "số CCCD"),
    MAPPING_FIELD("phone", "số điện thoại"),
    MAPPING_FIELD("unit", "tổ dân phố"),
    MAPPING_FIELD("address", "địa chỉ"),
    MAPPING_FIELD("household_code", "mã hộ"),
    MAPPING_FIELD("relation", "quan hệ với chủ hộ"),
    MAPPING_FIELD("vneid", "mức định danh điện tử"),
    MAPPING_FIELD("org", "nơi làm việc/học tập"),
    MAPPING_FIELD("membership_role", "vai trò ở nơi làm việc/học tập"),
    MAPPING_FIELD("grade", "lớp"),
    {0},
};
#undef MAPPING_FIELD
/* The question bank (qbank.h). */
static const field_spec questions_import_query[] = {
    {"name", FT_STRING, false, 0, 200, "Tên tệp như người dùng chọn (để hiển thị, ghi vào nhật ký)"},
    {"competency", FT_STRING, false, 1, 16, "Mã năng lực số gắn cho các câu hỏi không tự ghi trong danh mục (ví dụ 4.2)"},
    {"level", FT_INT, false, 1, 8, "Bậc (1–8) gắn cho các câu hỏi không tự ghi trong danh mục"},
    {0},
};
static const field_spec questions_query[] = {
    PAGING,
    {"competency", FT_STRING, false, 1, 16, "Mã năng lực số (ví dụ 4.2)"},
    {"level", FT_INT, false, 1, 8, "Bậc (1–8)"},
    {"type", FT_STRING, false, 1, 16, "Loại câu hỏi: single, multi, truefalse, matching, short, numerical"},
    {"q", FT_STRING, false, 0, 200, "Từ có trong tên hoặc nội dung câu hỏi"},
    {0},
};
static const field_spec competency_body[] = {
    {"framework", FT_NAME, true, 1, 40, "Mã khung năng lực (ví dụ TT02-2025, QD757-2025, hoặc một khung mới)"},
    {"code", FT_STRING, true, 1, 15, "Mã năng lực thành phần: chữ số và dấu chấm (ví dụ 2.6)"},
    {"domain_code", FT_STRING, true, 1, 15, "Mã miền năng lực (ví dụ 2)"},
    {"domain_name", FT_NAME, true, 1, 200, "Tên miền năng lực"},
    {"name", FT_NAME, true, 1, 300, "Tên năng lực thành phần"},
    {0},
};
static const field_spec competencies_query[] = {
    PAGING,
    {0},
};
static const field_spec quiz_body[] = {
    {"title", FT_NAME, true, 1, 200, "Tên bài kiểm tra"},
    {"description", FT_STRING, false, 0, 2000, "Giới thiệu ngắn cho người học"},
    {"category", FT_STRING, false, 1, 200, "Chỉ lấy câu hỏi trong danh mục này (và các danh mục con), ví dụ KNS-CB/M06"},
    {"competency", FT_STRING, false, 1, 16, "Chỉ lấy câu hỏi của năng lực số này (ví dụ 4.2)"},
    {"level", FT_INT, false, 1, 8, "Chỉ lấy câu hỏi của bậc này (1–8)"},
    {"question_count", FT_INT, true, 1, 100, "Số câu hỏi rút ngẫu nhiên cho mỗi lượt làm bài"},
    {"pass_percent", FT_INT, true, 1, 100, "Điểm đạt (phần trăm)"},
    {"time_limit_min", FT_INT, false, 0, 600, "Thời gian làm bài (phút); 0: không giới hạn"},
    {"max_attempts", FT_INT, false, 0, 100, "Số lần làm tối đa; 0: không giới hạn"},
    {"purpose", FT_STRING, false, 1, 16,
     "practice (luyện tập, mặc định) hoặc placement (kiểm tra đầu vào: làm khi bắt đầu, làm lại khi kết thúc để đo tiến bộ)"},
    {0},
};
static const field_spec assisted_attempt_body[] = {
    {"quiz_id", FT_INT, true, 1, INT64_MAX, "Bài kiểm tra làm cùng người dân"},
    {0},
};
static const field_spec competence_change_query[] = {
    {"unit", FT_INT, false, 1, INT64_MAX, "Đơn vị (cả cây con); bỏ trống: đơn vị mình được xem báo cáo"},
    {"group", FT_STRING, false, 1, 40, "Chỉ nhóm đối tượng này (public_staff, adults, elderly, traders, …)"},
    {0},
};
static const field_spec courses_query[] = {
    PAGING,
    {0},
};
static const field_spec quizzes_query[] = {
    PAGING,
    {0},
};
#define ANSWERS_DOC                                                                                                   \
  "Câu trả lời theo thứ tự câu hỏi: số thứ tự phương án (một đáp án), danh sách số thứ tự (nhiều đáp án), true/false," \
  " danh sách vế phải (ghép nối), chuỗi (trả lời ngắn, điền số); null: bỏ trống"
static const field_spec attempt_submit_body[] = {
    {"answers", FT_ARRAY, false, 0, 100, ANSWERS_DOC "; không gửi: chấm theo các câu trả lời đã lưu tạm"},
    {0},
};
static const field_spec attempt_answers_body[] = {
    {"answers", FT_ARRAY, true, 0, 100, ANSWERS_DOC},
    {0},
};
#undef ANSWERS_DOC
/* Certificates (certs.h, docs/CERTIFICATES.md). */
static const field_spec cert_verify_body[] = {
    {"payload", FT_STRING, true, 1, 3000, "Nội dung đã ký của chứng nhận (base64url), như trong mã QR"},
    {"signature", FT_STRING, true, 1, 200, "Chữ ký Ed25519 (base64url)"},
    {0},
};
static const field_spec certs_query[] = {
    PAGING,
    {0},
};
static const field_spec cert_revoke_body[] = {
    {"reason", FT_NAME, true, 3, 500, "Lý do thu hồi (ghi vào nhật ký, không hiển thị công khai)"},
    {0},
};
#define PROGRAMME_FIELDS(req)                                                                                           {"code", FT_STRING, req, 1, 40, "Mã chương trình, duy nhất (ví dụ PCKNS-CB)"},                                          {"title", FT_NAME, req, 1, 200, "Tên chương trình, in trên chứng nhận"},                                            {"description", FT_STRING, false, 0, 2000, "Mô tả"},                                                              {"pass_percent", FT_INT, false, 0, 100, "Điểm đạt mỗi học phần (phần trăm); 0: điểm đạt của từng bài kiểm tra"},       {"in_person_check", FT_BOOL, false, 0, 0, "Cần cán bộ xác nhận trực tiếp trước khi cấp"},                          {"active", FT_BOOL, false, 0, 0, "Đang cấp chứng nhận"},                                                              {"requirements", FT_OBJECT, req, 0, 2,                                                                                "Điều kiện cấp: {\"modules\": [\"KNS-CB/M01\", …], \"groups\": [{\"group\": \"elderly\", \"modules\": […]}]}"}
static const field_spec programme_create_body[] = {
    PROGRAMME_FIELDS(true),
    {0},
};
static const field_spec programme_update_body[] = {
    PROGRAMME_FIELDS(false),
    {0},
};
static const field_spec programme_check_body[] = {
    {"programme_id", FT_INT, true, 1, INT64_MAX, "Chương trình cần kiểm tra trực tiếp"},
    {0},
};
static const field_spec imports_query[] = {
    PAGING,
    {0},
};
/* Data subjects' requests (requests.h) and the export (export.h). */
static const field_spec my_request_body[] = {
    {"kind", FT_STRING, true, 1, 20,
     "access (xem dữ liệu của mình), correct (sửa), restrict (hạn chế xử lý) hoặc delete (xóa)"},
    {"message", FT_STRING, false, 0, 2000, "Nội dung: cần sửa gì, vì sao (bắt buộc khi yêu cầu sửa)"},
    {0},
};
static const field_spec requests_query[] = {
    {"status", FT_STRING, false, 1, 10, "open (đang chờ, mặc định), answered (đã trả lời) hoặc all"},
    {"overdue", FT_INT, false, 0, 1, "1: chỉ các yêu cầu đã quá hạn 72 giờ mà chưa trả lời"},
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ yêu cầu của người đăng ký trong cây đơn vị này"},
    PAGING,
    {0},
};
static const field_spec request_answer_body[] = {
    {"outcome", FT_STRING, true, 1, 10, "done (đã thực hiện) hoặc refused (từ chối)"},
    {"answer", FT_STRING, false, 0, 2000, "Trả lời cho người dân; bắt buộc khi từ chối (nêu lý do)"},
    {0},
};
static const field_spec residents_deleted_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ hồ sơ đăng ký trong cây đơn vị này"},
    PAGING,
    {0},
};
static const field_spec residents_export_query[] = {
    {"format", FT_STRING, false, 1, 4, "csv (mặc định) hoặc xlsx"},
    {"q", FT_STRING, false, 1, 100, "Như danh sách người dân: họ tên, số điện thoại hoặc số CCCD"},
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ người đăng ký hoặc có quan hệ trong cây đơn vị này"},
    {"group", FT_STRING, false, 1, 40, "Nhóm đối tượng (như danh sách người dân)"},
    {"age_min", FT_INT, false, 0, 150, "Tuổi từ"},
    {"age_max", FT_INT, false, 0, 150, "Tuổi đến"},
    {"sex", FT_STRING, false, 1, 4, "Giới tính: M (Nam) hoặc F (Nữ)"},
    {"vneid_level", FT_INT, false, 0, 2, "Mức định danh điện tử: 0, 1, 2"},
    {"household_id", FT_INT, false, 1, INT64_MAX, "Chỉ thành viên của hộ này"},
    {0},
};

/* Confirmations from outside (confirmations.h). */
static const field_spec confirmation_body[] = {
    {"kind", FT_STRING, true, 1, 40,
     "Loại: vneid (đạt chuẩn phổ cập kỹ năng số trên VNeID), national_platform (nền tảng binhdanhocvuso.gov.vn), "
     "course_elsewhere (khóa học khác); hoặc nhãn tiếng Việt"},
    {"source", FT_STRING, false, 0, 200,
     "Nguồn: nền tảng hoặc đơn vị tổ chức khóa học (để trống: VNeID, binhdanhocvuso.gov.vn theo loại; bắt buộc với khóa học khác)"},
    {"confirmed_on", FT_STRING, true, 1, 10, "Ngày xác nhận: dd/mm/yyyy hoặc yyyy-mm-dd, không ở tương lai"},
    {"reference", FT_STRING, false, 0, 100, "Số hiệu chứng nhận ở nơi khác (tùy chọn)"},
    {0},
};
static const field_spec confirmations_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ người đăng ký trong cây đơn vị này"},
    {"kind", FT_STRING, false, 1, 40, "Loại: vneid, national_platform, course_elsewhere"},
    PAGING,
    {0},
};
static const field_spec confirmations_import_query[] = {
    {"name", FT_STRING, false, 0, 200, "Tên tệp như người dùng chọn (ghi vào nhật ký)"},
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ ghép với người dân đăng ký trong cây đơn vị này"},
    {0},
};

/* The 4T steps of small traders (trade.h). */
static const field_spec markets_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ chợ (và tiểu thương đăng ký) trong cây đơn vị này"},
    {0},
};
static const field_spec traders_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ tiểu thương của chợ, hoặc đăng ký, trong cây đơn vị này"},
    {"market_id", FT_INT, false, 1, INT64_MAX,
     "Chỉ tiểu thương của chợ này, trong số người mình được xem (lọc, không mở rộng phạm vi)"},
    {"without_step", FT_STRING, false, 1, 40, "Chỉ người chưa thực hiện bước 4T này (mã bước)"},
    PAGING,
    {0},
};
static const field_spec trade_step_delete_query[] = {
    {"step", FT_STRING, false, 1, 40, "Bước 4T ghi nhầm cần xóa (mã bước; bắt buộc)"},
    {0},
};
static const field_spec trade_step_body[] = {
    {"step", FT_STRING, true, 1, 40, "Bước 4T (mã trong danh mục: payment_account, cashless_qr, online_selling, digital_savings, …)"},
    {"done_on", FT_STRING, true, 1, 10, "Ngày thực hiện: dd/mm/yyyy hoặc yyyy-mm-dd, không ở tương lai"},
    {"helper_id", FT_INT, false, 1, INT64_MAX, "Người hướng dẫn (hồ sơ người dân); để trống: chính người ghi nhận"},
    {0},
};

/* Training classes (classes.h). */
static const field_spec classes_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ lớp do đơn vị trong cây đơn vị này tổ chức"},
    PAGING,
    {0},
};
static const field_spec class_create_body[] = {
    {"title", FT_NAME, true, 1, 200, "Tên lớp bồi dưỡng, tập huấn"},
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Đơn vị tổ chức"},
    {"topic", FT_STRING, false, 0, 500, "Chủ đề, nội dung"},
    {"competences", FT_ARRAY, false, 0, 20, "Các năng lực số của khung (mã số, xem /api/v1/competencies)"},
    {0},
};
static const field_spec class_session_body[] = {
    {"held_on", FT_STRING, true, 1, 10, "Ngày học: dd/mm/yyyy hoặc yyyy-mm-dd (có thể là ngày sắp tới)"},
    {"place", FT_STRING, true, 1, 200, "Địa điểm"},
    {0},
};
static const field_spec class_enrol_body[] = {
    {"participant_id", FT_INT, true, 1, INT64_MAX, "Người học (hồ sơ người dân)"},
    {0},
};
static const field_spec class_attendance_body[] = {
    {"session_id", FT_INT, true, 1, INT64_MAX, "Buổi học của lớp (đã diễn ra)"},
    {"participant_ids", FT_ARRAY, true, 0, 1000, "Những người có mặt (đã ghi danh); người không có trong danh sách là vắng"},
    {0},
};
static const field_spec class_outcome_body[] = {
    {"participant_id", FT_INT, true, 1, INT64_MAX, "Người học đã ghi danh"},
    {"outcome", FT_STRING, true, 0, 20, "completed (hoàn thành), not_completed (chưa hoàn thành), chuỗi rỗng để xóa"},
    {"outcome_on", FT_STRING, false, 0, 10, "Ngày có kết quả (để trống: hôm nay), không ở tương lai"},
    {0},
};

/* Events (events.h). */
static const field_spec events_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ sự kiện do đơn vị trong cây đơn vị này tổ chức"},
    PAGING,
    {0},
};
static const field_spec event_create_body[] = {
    {"title", FT_NAME, true, 1, 200, "Tên sự kiện (ví dụ: Ngày hội toàn dân học tập số)"},
    {"held_on", FT_STRING, true, 1, 10, "Ngày tổ chức: dd/mm/yyyy hoặc yyyy-mm-dd"},
    {"place", FT_STRING, true, 1, 200, "Địa điểm"},
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Đơn vị tổ chức"},
    {"head_count", FT_INT, false, 0, 1000000, "Số người tham dự chưa có trong sổ dân cư (đếm đầu người)"},
    {0},
};
static const field_spec event_update_body[] = {
    {"title", FT_NAME, false, 1, 200, "Tên sự kiện"},
    {"held_on", FT_STRING, false, 1, 10, "Ngày tổ chức"},
    {"place", FT_STRING, false, 1, 200, "Địa điểm"},
    {"head_count", FT_INT, false, 0, 1000000, "Số người tham dự chưa có trong sổ dân cư"},
    {0},
};
static const field_spec event_activity_body[] = {
    {"title", FT_NAME, true, 1, 200, "Tên hoạt động"},
    {0},
};
static const field_spec event_participant_body[] = {
    {"participant_id", FT_INT, true, 1, INT64_MAX, "Người tham dự (hồ sơ người dân)"},
    {"status", FT_STRING, false, 1, 12,
     "registered (ghi danh trước) hoặc attended (đã tham dự: chỉ từ ngày diễn ra); để trống: ghi danh khi sự kiện "
     "chưa diễn ra, đã tham dự từ ngày diễn ra"},
    {0},
};
/* Đại sứ số (ambassadors.h). */
static const field_spec ambassador_body[] = {
    {"person_id", FT_INT, true, 1, INT64_MAX, "Người được giao (người dân hoặc cán bộ trong sổ dân cư)"},
    {"unit_id", FT_INT, true, 1, INT64_MAX,
     "Đơn vị nơi làm nhiệm vụ: tổ dân phố (hướng dẫn) hoặc Trung tâm phục vụ hành chính công (hỗ trợ)"},
    {"kind", FT_STRING, true, 1, 40, "Loại: mentor (đại sứ số hướng dẫn) hoặc service_helper (hỗ trợ tại trung tâm)"},
    {0},
};
static const field_spec ambassadors_query[] = {
    {"kind", FT_STRING, false, 1, 40, "Loại: mentor hoặc service_helper"},
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ đại sứ số làm nhiệm vụ trong cây đơn vị này"},
    {"include_ended", FT_BOOL, false, 0, 0, "Kể cả người đã kết thúc nhiệm vụ"},
    {"short_only", FT_BOOL, false, 0, 0, "Chỉ đại sứ số hướng dẫn chưa đủ 5 người"},
    PAGING,
    {0},
};
static const field_spec mentorship_body[] = {
    {"mentee_id", FT_INT, true, 1, INT64_MAX, "Người được hướng dẫn (trong sổ dân cư)"},
    {"mentor_id", FT_INT, true, 1, INT64_MAX, "Đại sứ số hướng dẫn (mã đại sứ số)"},
    {0},
};
static const field_spec mentor_session_body[] = {
    {"held_on", FT_STRING, true, 1, 10, "Ngày hướng dẫn: dd/mm/yyyy hoặc yyyy-mm-dd, không ở tương lai"},
    {"topic", FT_STRING, true, 1, 500, "Nội dung đã hướng dẫn"},
    {0},
};
static const field_spec service_help_body[] = {
    {"person_id", FT_INT, true, 1, INT64_MAX, "Người dân được hỗ trợ tại trung tâm"},
    {"helped_on", FT_STRING, true, 1, 10, "Ngày hỗ trợ: dd/mm/yyyy hoặc yyyy-mm-dd, không ở tương lai"},
    {"what", FT_STRING, true, 1, 500, "Việc đã hỗ trợ (ví dụ: nộp hồ sơ trực tuyến trên Cổng dịch vụ công)"},
    {0},
};
/* Gia đình số and VNeID coverage (families.h, vneid.h). */
static const field_spec reach_unit_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các tổ dân phố trong cây đơn vị này"},
    {0},
};
static const field_spec vneid_coverage_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các tổ dân phố trong cây đơn vị này"},
    {"date", FT_DATE, false, 0, 0, "Theo mức của ngày này (YYYY-MM-DD, không ở tương lai); mặc định: hôm nay"},
    {0},
};
static const field_spec indicators_query[] = {
    {"unit", FT_INT, false, 1, INT64_MAX, "Đơn vị (cả cây đơn vị bên dưới); mặc định: đơn vị cao nhất được xem báo cáo"},
    {"date", FT_DATE, false, 0, 0, "Ngày tham chiếu (YYYY-MM-DD, không ở tương lai); mặc định: hôm nay"},
    {0},
};
#define INDICATOR_DEF_FIELDS(req)                                                                                \
  {"code", FT_STRING, req, 1, 20, "Mã chỉ tiêu (chữ cái đầu; chữ, số, . _ -), khác mã các chỉ tiêu có sẵn"},         \
      {"name", FT_NAME, req, 1, 200, "Tên chỉ tiêu"},                                                                   \
      {"definition", FT_OBJECT, req, 0, 8,                                                                             \
       "Định nghĩa theo các khối dựng sẵn: {\"base\": \"people\", \"population\": {\"group\": \"elderly\"}, "              \
       "\"condition\": {\"fact\": \"learned\"}} (docs/INDICATORS.md)"},                                                    \
      {"targets", FT_OBJECT, false, 0, 20, "Chỉ tiêu theo năm, phần trăm: {\"2026\": 80}"},                              \
      {"active", FT_BOOL, false, 0, 0, "Đang dùng (không dùng nữa: không tính, vẫn giữ)"}
static const field_spec indicator_def_create_body[] = {
    INDICATOR_DEF_FIELDS(true),
    {0},
};
static const field_spec indicator_def_update_body[] = {
    INDICATOR_DEF_FIELDS(false),
    {0},
};
static const field_spec indicators_ranking_query[] = {
    {"code", FT_STRING, false, 1, 20, "Mã chỉ tiêu (T1…, M1…, C1 hoặc của phường); mặc định T3"},
    {"unit", FT_INT, false, 1, INT64_MAX, "Đơn vị có các đơn vị trực thuộc được xếp hạng; mặc định: đơn vị cao nhất được xem báo cáo"},
    {"date", FT_DATE, false, 0, 0, "Ngày tham chiếu (YYYY-MM-DD, không ở tương lai); mặc định: hôm nay"},
    {0},
};
static const field_spec indicators_left_query[] = {
    {"code", FT_STRING, false, 1, 20, "Mã chỉ tiêu đếm người hoặc hộ gia đình (T1, T3, T4, T5, M3, M4, C1 hoặc của phường); mặc định T3"},
    {"unit", FT_INT, false, 1, INT64_MAX, "Đơn vị (cả cây bên dưới); mặc định: đơn vị cao nhất được xem báo cáo"},
    {"date", FT_DATE, false, 0, 0, "Ngày tham chiếu (YYYY-MM-DD, không ở tương lai); mặc định: hôm nay"},
    PAGING,
    {0},
};
static const field_spec indicators_left_csv_query[] = {
    {"code", FT_STRING, false, 1, 20, "Mã chỉ tiêu đếm người hoặc hộ gia đình; mặc định T3"},
    {"unit", FT_INT, false, 1, INT64_MAX, "Đơn vị (cả cây bên dưới); mặc định: đơn vị cao nhất được xem báo cáo"},
    {"date", FT_DATE, false, 0, 0, "Ngày tham chiếu (YYYY-MM-DD, không ở tương lai); mặc định: hôm nay"},
    {0},
};
static const field_spec indicators_history_query[] = {
    {"code", FT_STRING, false, 1, 20, "Mã chỉ tiêu; mặc định T3"},
    {"unit", FT_INT, false, 1, INT64_MAX, "Đơn vị; mặc định: đơn vị cao nhất được xem báo cáo"},
    {0},
};
static const field_spec report_query[] = {
    {"unit", FT_INT, false, 1, INT64_MAX, "Đơn vị báo cáo (cả cây bên dưới); mặc định: đơn vị cao nhất được xem báo cáo"},
    {"period", FT_STRING, false, 4, 7, "Kỳ báo cáo đã kết thúc: một quý (2026-Q3) hoặc một năm (2026); mặc định: quý vừa qua"},
    {0},
};
static const field_spec board_query[] = {
    {"unit", FT_INT, false, 1, INT64_MAX, "Phường, xã hoặc thành phố; mặc định: phường của hệ thống"},
    {0},
};
static const field_spec commendation_rule_body[] = {
    {"name", FT_NAME, true, 1, 200, "Tên tiêu chí, ví dụ \"Tổ dân phố đạt mọi chỉ tiêu\""},
    {"rule", FT_OBJECT, true, 0, 4,
     "{\"kind\": \"all_met\", \"codes\": [\"T3\", \"T4\"]} | {\"kind\": \"top\", \"code\": \"M1\", \"count\": 3} | "
     "{\"kind\": \"at_least\", \"code\": \"T3\", \"percent\": 90} | {\"kind\": \"mentors_top\", \"count\": 5}"
     " (the Đại sứ số whose mentees learned most)"},
    {0},
};
static const field_spec indicator_defs_query[] = {
    PAGING,
    {0},
};
static const field_spec reach_page_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các tổ dân phố trong cây đơn vị này"},
    PAGING,
    {0},
};
/* The plan's tasks (plan.h) and attachments (attachments.h). */
static const field_spec plan_update_body[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX,
     "Đơn vị báo cáo: một đơn vị chủ trì hoặc phối hợp của nhiệm vụ (theo bảng tên đơn vị của kế hoạch), hoặc phường"},
    {"body", FT_STRING, true, 1, 4000, "Nội dung đã thực hiện"},
    {"figures", FT_ARRAY, false, 0, 20, "Số liệu: [{\"label\": tên, \"value\": số, \"unit\": đơn vị tính}] (tối đa 20)"},
    {"done", FT_BOOL, false, 0, 0, "Đơn vị báo cáo nhiệm vụ đã hoàn thành (việc hằng năm: hoàn thành năm nay)"},
    {"attachment_ids", FT_ARRAY, false, 0, 10,
     "Mã các tệp mình đã gửi lên cho nhiệm vụ này (POST /api/v1/plan/tasks/{id}/attachments), tối đa 10"},
    {0},
};
static const field_spec plan_attachment_query[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Đơn vị báo cáo (như khi gửi báo cáo)"},
    {"name", FT_STRING, false, 0, 200, "Tên tệp như người dùng chọn (phần mở rộng phải khớp nội dung)"},
    {0},
};
static const field_spec plan_units_body[] = {
    {"unit_ids", FT_ARRAY, true, 0, 200, "Các đơn vị của phường mà tên đơn vị này trong kế hoạch chỉ tới (thay cho danh sách cũ)"},
    {0},
};

/* Schools (schools.h). */
static const field_spec schools_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các trường trong cây đơn vị này"},
    {0},
};
static const field_spec school_programme_body[] = {
    {"runs_programme", FT_BOOL, true, 0, 0,
     "Trường đang dạy chương trình kỹ năng số theo Thông tư 02/2025/TT-BGDĐT (Khung năng lực số cho người học)"},
    {"since_on", FT_STRING, false, 0, 10, "Ngày bắt đầu (yyyy-mm-dd), không ở tương lai; rỗng để xóa"},
    {"evidence_url", FT_STRING, false, 0, 500, "Đường dẫn minh chứng (https://…): kế hoạch, văn bản của trường; rỗng để xóa"},
    {"grades", FT_ARRAY, false, 0, 12,
     "Số học sinh theo khối lớp (thay cho số cũ): [{\"grade\": khối, \"students\": số học sinh, \"covered\": số được học}]"},
    {0},
};
static const field_spec school_designation_body[] = {
    {"kind", FT_STRING, true, 1, 20,
     "Danh hiệu: model_school (Trường học chuyển đổi số điển hình), creative_class (Lớp học số sáng tạo), "
     "model_teacher (Giáo viên số tiêu biểu)"},
    {"name", FT_STRING, false, 0, 200, "Tên lớp hoặc giáo viên (với danh hiệu của trường: để trống)"},
    {"school_year", FT_STRING, true, 9, 9, "Năm học, ví dụ 2025-2026"},
    {"decision", FT_STRING, false, 0, 200, "Số quyết định công nhận (tùy chọn)"},
    {0},
};
static const field_spec school_evidence_query[] = {
    {"name", FT_STRING, false, 0, 200, "Tên tệp như người dùng chọn (phần mở rộng phải khớp nội dung)"},
    {0},
};

/* Resources (resources.h). */
static const field_spec contributions_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các đóng góp do đơn vị trong cây đơn vị này tiếp nhận"},
    {"source_kind", FT_STRING, false, 1, 20, "Nguồn: organisation (tổ chức), business (doanh nghiệp), individual (cá nhân)"},
    {"kind", FT_STRING, false, 1, 20, "Loại: money (tiền), devices (thiết bị), facilities (cơ sở vật chất), people (nhân lực)"},
    {"task_id", FT_INT, false, 1, INT64_MAX, "Chỉ các đóng góp cho nhiệm vụ này của kế hoạch"},
    PAGING,
    {0},
};
static const field_spec contribution_body[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Đơn vị tiếp nhận (quyền plan.write trên đơn vị này)"},
    {"source_kind", FT_STRING, true, 1, 20, "Nguồn: organisation (tổ chức), business (doanh nghiệp), individual (cá nhân)"},
    {"source_name", FT_STRING, true, 1, 200, "Tên tổ chức, doanh nghiệp hoặc người đóng góp"},
    {"kind", FT_STRING, true, 1, 20, "Loại: money (tiền), devices (thiết bị), facilities (cơ sở vật chất), people (nhân lực)"},
    {"description", FT_STRING, true, 1, 1000, "Nội dung: 20 điện thoại thông minh, phòng máy, 5 tình nguyện viên…"},
    {"quantity", FT_INT, false, 1, 1000000, "Số lượng (máy, người, buổi…)"},
    {"value_vnd", FT_INT, true, 0, 1000000000000000LL, "Giá trị (đồng); ước tính với đóng góp không phải tiền"},
    {"recipient_unit_id", FT_INT, false, 1, INT64_MAX, "Đơn vị được nhận (tổ dân phố, trường…), thuộc đơn vị tiếp nhận"},
    {"recipient_household_id", FT_INT, false, 1, INT64_MAX, "Hộ được nhận (ví dụ hộ được tặng điện thoại), thuộc đơn vị tiếp nhận"},
    {"task_id", FT_INT, false, 1, INT64_MAX, "Nhiệm vụ của kế hoạch mà đóng góp phục vụ"},
    {"received_on", FT_STRING, true, 10, 10, "Ngày tiếp nhận (yyyy-mm-dd), không ở tương lai"},
    {0},
};
static const field_spec plan_budget_body[] = {
    {"year", FT_INT, true, 2020, 2100, "Năm"},
    {"source", FT_STRING, true, 1, 20, "Nguồn: state_budget (ngân sách nhà nước) hoặc other (nguồn hợp pháp khác)"},
    {"amount_vnd", FT_INT, true, 0, 1000000000000000LL, "Kinh phí (đồng), thay cho số cũ của năm và nguồn này"},
    {0},
};
/* Tổ công nghệ số cộng đồng (field.h). */
static const field_spec field_topic_body[] = {
    {"label", FT_NAME, true, 1, 120, "Tên chủ đề hướng dẫn (tiếng Việt)"},
    {"code", FT_STRING, false, 0, 40, "Mã chủ đề: a-z, 0-9, dấu gạch dưới (để trống: tạo từ tên)"},
    {0},
};
static const field_spec field_teams_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các tổ công nghệ số của tổ dân phố trong cây đơn vị này"},
    PAGING,
    {0},
};
static const field_spec field_team_body[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Tổ dân phố của tổ công nghệ số (mỗi tổ dân phố một tổ)"},
    {"name", FT_NAME, true, 1, 200, "Tên tổ"},
    {0},
};
static const field_spec field_member_body[] = {
    {"person_id", FT_INT, true, 1, INT64_MAX, "Người dân trong sổ dân cư"},
    {"team_role", FT_STRING, false, 1, 10, "leader (tổ trưởng) hoặc member (thành viên, mặc định)"},
    {0},
};
static const field_spec field_worklist_query[] = {
    {"list", FT_STRING, false, 1, 20,
     "households: hộ chưa được đến (mặc định); residents: người còn bị bỏ lại (từ 18 tuổi, chưa có chứng nhận, "
     "xác nhận hay kết quả hỗ trợ nào)"},
    PAGING,
    {0},
};
static const field_spec field_coverage_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các tổ dân phố trong cây đơn vị này"},
    {0},
};
static const field_spec field_households_query[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Tổ dân phố"},
    {"q", FT_STRING, false, 1, 100, "Địa chỉ, mã hộ hoặc tên một người trong hộ (gõ không dấu cũng được; bắt buộc)"},
    {0},
};
static const field_spec field_report_query[] = {
    {"period", FT_STRING, false, 1, 10, "Kỳ báo cáo: week (tuần, thứ Hai đến Chủ nhật), month (tháng, mặc định), quarter (quý)"},
    {"date", FT_DATE, false, 0, 0, "Một ngày trong kỳ (YYYY-MM-DD; mặc định hôm nay)"},
    {0},
};
#define HELPREQ_FIELDS                                                                                      \
  {"requester_name", FT_NAME, true, 1, 100, "Họ tên người yêu cầu"},                                          \
      {"phone", FT_STRING, false, 0, 20, "Số điện thoại để gọi lại"},                                         \
      {"resident_name", FT_STRING, false, 0, 100, "Họ tên người cần hỗ trợ, khi không phải người yêu cầu"},    \
      {"address", FT_STRING, false, 0, 300, "Địa chỉ"},                                                        \
      {"topic", FT_STRING, false, 0, 40, "Nội dung cần hỗ trợ: mã chủ đề (GET /api/v1/field/topics)"},         \
      {"description", FT_STRING, true, 1, 4000, "Cần hỗ trợ việc gì (tối đa 1000 ký tự)"}
static const field_spec helpreq_public_body[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Tổ dân phố nơi cần hỗ trợ (GET /api/v1/help-requests/units)"},
    {"relation", FT_STRING, false, 1, 10, "self (chính mình, mặc định) hoặc relative (người thân)"},
    HELPREQ_FIELDS,
    {0},
};
static const field_spec helpreq_body[] = {
    {"unit_id", FT_INT, true, 1, INT64_MAX, "Tổ dân phố nơi cần hỗ trợ"},
    {"channel", FT_STRING, false, 1, 10, "phone (qua điện thoại, mặc định) hoặc desk (tại quầy)"},
    {"relation", FT_STRING, false, 1, 10, "self (người dân), relative (người thân) hoặc desk (cán bộ tại quầy)"},
    HELPREQ_FIELDS,
    {0},
};
static const field_spec helpreq_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các tổ dân phố trong cây đơn vị này"},
    {"status", FT_STRING, false, 1, 10, "open (chưa xong), overdue (quá hạn), done (đã xong)"},
    PAGING,
    {0},
};
static const field_spec helpreq_summary_query[] = {
    {"unit_id", FT_INT, false, 1, INT64_MAX, "Chỉ các tổ dân phố trong cây đơn vị này"},
    {0},
};
static const field_spec helpreq_done_body[] = {
    {"visit_id", FT_INT, true, 1, INT64_MAX, "Lượt đến hộ đã ghi kết quả hỗ trợ (cùng tổ dân phố, từ ngày có yêu cầu)"},
    {0},
};
static const field_spec visit_body[] = {
    {"visited_on", FT_STRING, false, 0, 10, "Ngày đến hộ: dd/mm/yyyy hoặc yyyy-mm-dd, không ở tương lai (để trống: hôm nay)"},
    {"topics", FT_ARRAY, true, 0, 20, "Các nội dung đã hướng dẫn: mã chủ đề (GET /api/v1/field/topics)"},
    {"present", FT_ARRAY, false, 0, 30,
     "Người có mặt (thành viên của hộ): [{\"person_id\": số, \"outcomes\": [mã kết quả]}]"},
    {"note", FT_STRING, false, 0, 2000, "Ghi chú (tối đa 500 ký tự)"},
    {0},
};

#define PUB AUTH_PUBLIC, 0, SCOPE_NONE, NULL, FROM_PATH
#define LOGIN(cap) AUTH_LOGIN, cap, SCOPE_NONE, NULL, FROM_PATH
#define ON_UNIT(cap, field, from) AUTH_LOGIN, cap, SCOPE_UNIT, field, from
#define ON_USER(cap) AUTH_LOGIN, cap, SCOPE_USER, "id", FROM_PATH
#define ON_GRANT(cap) AUTH_LOGIN, cap, SCOPE_GRANT, "grant_id", FROM_PATH
#define ON_USER_ROLE(cap, field, from) AUTH_LOGIN, cap, SCOPE_USER_ROLE, field, from
#define ON_PERSON(cap) AUTH_LOGIN, cap, SCOPE_PERSON, "id", FROM_PATH
#define ON_HOUSEHOLD(cap) AUTH_LOGIN, cap, SCOPE_HOUSEHOLD, "id", FROM_PATH
#define ON_REQUEST(cap) AUTH_LOGIN, cap, SCOPE_REQUEST, "id", FROM_PATH

const route routes[] = {
    /* system */
    {"GET", "/healthz", h_healthz, PUB, NULL, NULL, false, RATE_NONE, 200, "getHealth", "Hệ thống",
     "Tình trạng máy chủ và cơ sở dữ liệu", "Health"},
    {"GET", "/metrics", h_metrics, PUB, NULL, NULL, false, RATE_NONE, 200, "getMetrics", "Hệ thống",
     "Số liệu vận hành dạng Prometheus (chỉ từ máy chủ nội bộ)", NULL},
    {"GET", "/api/v1/openapi.json", h_openapi, PUB, NULL, NULL, false, RATE_NONE, 200, "getOpenApi", "Hệ thống",
     "Tài liệu OpenAPI của API này", NULL},
    {"GET", "/api/v1/hello", h_hello, PUB, NULL, NULL, false, RATE_NONE, 200, "getHello", "Hệ thống",
     "Trả lời tối giản, làm mốc so sánh hiệu năng", "Hello"},
    {"GET", "/api/v1/instance", h_instance, PUB, NULL, NULL, false, RATE_NONE, 200, "getInstance", "Hệ thống",
     "Tên phường, xã mà hệ thống phục vụ (không có dữ liệu cá nhân), cho trang đăng nhập", "Instance"},
    {"GET", "/api/v1/meta", h_meta, LOGIN(0), NULL, NULL, false, RATE_NONE, 200, "getMeta", "Hệ thống",
     "Danh mục loại đơn vị, vai trò và quyền", "Meta"},
    /* session */
    {"POST", "/api/v1/session", h_login, PUB, login_body, NULL, false, RATE_LOGIN, 200, "login", "Phiên làm việc",
     "Đăng nhập", "Login"},
    {"DELETE", "/api/v1/session", h_logout, LOGIN(0), NULL, NULL, true, RATE_NONE, 204, "logout", "Phiên làm việc",
     "Đăng xuất", NULL},
    {"GET", "/api/v1/me", h_me, LOGIN(0), NULL, NULL, false, RATE_NONE, 200, "getMe", "Phiên làm việc",
     "Người đang đăng nhập, vai trò và quyền", "Me"},
    {"PUT", "/api/v1/me/password", h_me_password, LOGIN(0), password_body, NULL, true, RATE_LOGIN, 204,
     "changeMyPassword", "Phiên làm việc", "Đổi mật khẩu của mình; các phiên khác kết thúc", NULL, "new_password"},
    /* units */
    {"GET", "/api/v1/units", h_units_list, ON_UNIT(CAP_UNITS_READ, "parent_id", FROM_QUERY), NULL, units_query,
     false, RATE_NONE, 200, "listUnits", "Đơn vị", "Danh sách đơn vị trong phạm vi của mình", "UnitPage"},
    {"GET", "/api/v1/units/{id}", h_units_get, ON_UNIT(CAP_UNITS_READ, "id", FROM_PATH), NULL, NULL, false,
     RATE_NONE, 200, "getUnit", "Đơn vị", "Một đơn vị và các cấp trên", "Unit"},
    {"POST", "/api/v1/units", h_units_create, ON_UNIT(CAP_UNITS_WRITE, "parent_id", FROM_BODY), unit_create_body,
     NULL, true, RATE_WRITE, 201, "createUnit", "Đơn vị", "Thêm đơn vị con", "Unit"},
    {"PATCH", "/api/v1/units/{id}", h_units_update, ON_UNIT(CAP_UNITS_WRITE, "id", FROM_PATH), unit_update_body,
     NULL, true, RATE_WRITE, 200, "updateUnit", "Đơn vị", "Sửa tên, loại, mã đơn vị", "Unit"},
    {"POST", "/api/v1/units/{id}/move", h_units_move, ON_UNIT(CAP_UNITS_WRITE, "id", FROM_PATH), unit_move_body, NULL,
     true, RATE_WRITE, 200, "moveUnit", "Đơn vị", "Chuyển đơn vị (cả cây con) sang đơn vị cấp trên khác", "Unit",
     .also_unit = "parent_id"},
    {"DELETE", "/api/v1/units/{id}", h_units_delete, ON_UNIT(CAP_UNITS_WRITE, "id", FROM_PATH), NULL, NULL, true,
     RATE_WRITE, 204, "deleteUnit", "Đơn vị", "Xóa đơn vị trống (không còn đơn vị trực thuộc, tài khoản, vai trò)",
     NULL},
    /* users */
    {"GET", "/api/v1/users", h_users_list, ON_UNIT(CAP_USERS_READ, "unit_id", FROM_QUERY), NULL, users_query, false,
     RATE_NONE, 200, "listUsers", "Tài khoản", "Danh sách tài khoản trong phạm vi của mình", "UserPage"},
    {"POST", "/api/v1/users", h_users_create, ON_UNIT(CAP_USERS_WRITE, "unit_id", FROM_BODY), user_create_body,
     NULL, true, RATE_WRITE, 201, "createUser", "Tài khoản", "Tạo tài khoản", "User", "password"},
    {"GET", "/api/v1/users/{id}", h_users_get, ON_USER(CAP_USERS_READ), NULL, NULL, false, RATE_NONE, 200,
     "getUser", "Tài khoản", "Một tài khoản và các vai trò", "User"},
    {"PATCH", "/api/v1/users/{id}", h_users_update, ON_USER(CAP_USERS_WRITE), user_update_body, NULL, true,
     RATE_WRITE, 200, "updateUser", "Tài khoản", "Sửa họ tên; khóa hoặc mở khóa (khóa thì mọi phiên kết thúc)",
     "User"},
    {"PUT", "/api/v1/users/{id}/password", h_users_password, ON_USER(CAP_USERS_WRITE), user_password_body, NULL,
     true, RATE_WRITE, 204, "resetUserPassword", "Tài khoản", "Đặt lại mật khẩu; mọi phiên của tài khoản kết thúc",
     NULL, "new_password"},
    {"POST", "/api/v1/users/{id}/roles", h_roles_grant, ON_USER_ROLE(CAP_USERS_WRITE, "unit_id", FROM_BODY), grant_body,
     NULL, true, RATE_WRITE, 201, "grantRole", "Tài khoản", "Giao vai trò trên một đơn vị", "Grant"},
    {"DELETE", "/api/v1/users/{id}/roles/{grant_id}", h_roles_revoke, ON_GRANT(CAP_USERS_WRITE), NULL, NULL, true,
     RATE_WRITE, 204, "revokeRole", "Tài khoản", "Thu hồi vai trò", NULL},
    {"PUT", "/api/v1/users/{id}/person", h_users_link_person, AUTH_LOGIN, CAP_USERS_WRITE, SCOPE_USER_PERSON,
     "person_id", FROM_BODY, user_person_body, NULL, true, RATE_WRITE, 200, "linkUserPerson", "Tài khoản",
     "Gắn tài khoản với hồ sơ người dân của chủ tài khoản (cần thêm quyền people.write với người đó)", "UserPerson"},
    /* people (sổ dân cư) */
    {"GET", "/api/v1/residents", h_residents_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     residents_query, false, RATE_NONE, 200, "listResidents", "Người dân",
     "Danh sách người dân trong phạm vi của mình (tìm theo tên không dấu, số điện thoại, CCCD; lọc theo nhóm, tuổi)",
     "ResidentPage"},
    {"GET", "/api/v1/residents/{id}", h_residents_get, ON_PERSON(CAP_PEOPLE_READ), NULL, NULL, false, RATE_NONE, 200,
     "getResident", "Người dân", "Hồ sơ một người (được ghi nhật ký); CCCD hiện đầy đủ chỉ với quyền identity.read",
     "Resident"},
    {"POST", "/api/v1/residents", h_residents_create, ON_UNIT(CAP_PEOPLE_WRITE, "unit_id", FROM_BODY),
     resident_create_body, NULL, true, RATE_WRITE, 201, "createResident", "Người dân", "Thêm hồ sơ người dân",
     "Resident"},
    {"PATCH", "/api/v1/residents/{id}", h_residents_update, ON_PERSON(CAP_PEOPLE_WRITE), resident_update_body, NULL,
     true, RATE_WRITE, 200, "updateResident", "Người dân", "Sửa hồ sơ; chuyển đơn vị đăng ký", "Resident",
     .also_unit = "unit_id"},
    {"PUT", "/api/v1/residents/{id}/vneid", h_residents_vneid, ON_PERSON(CAP_IDENTITY_WRITE), resident_vneid_body, NULL,
     true, RATE_WRITE, 200, "setResidentVneid", "Định danh điện tử",
     "Ghi mức định danh điện tử VNeID của một người (công an phường), với ngày đạt mức nếu đã đạt từ trước",
     "Resident"},
    {"DELETE", "/api/v1/residents/{id}", h_residents_delete, ON_PERSON(CAP_PEOPLE_WRITE), NULL, NULL, true,
     RATE_WRITE, 204, "deleteResident", "Người dân", "Xóa hồ sơ (ẩn ngay, xóa hẳn sau thời hạn lưu giữ)", NULL},
    /* Deleted records: whoever may delete a person (people.write on the registering unit) may see
     * the deleted ones and undo a deletion until the purge; not only the ward admin, since a tổ
     * officer who deleted by mistake is the one who notices. */
    {"GET", "/api/v1/residents/deleted", h_residents_deleted_list, ON_UNIT(CAP_PEOPLE_WRITE, "unit_id", FROM_QUERY),
     NULL, residents_deleted_query, false, RATE_NONE, 200, "listDeletedResidents", "Người dân",
     "Hồ sơ đã xóa đang chờ xóa hẳn, đăng ký trong phạm vi mình có quyền people.write, mới xóa nhất trước",
     "DeletedResidentPage"},
    {"POST", "/api/v1/residents/{id}/restore", h_residents_restore, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_PERSON_DELETED,
     "id", FROM_PATH, NULL, NULL, true, RATE_WRITE, 200, "restoreResident", "Người dân",
     "Khôi phục hồ sơ đã xóa trước hạn xóa hẳn (quyền people.write trên đơn vị đăng ký, như khi xóa); "
     "409 khi số CCCD nay thuộc hồ sơ khác; liên kết tài khoản đã gỡ khi xóa không được khôi phục",
     "Resident"},
    {"POST", "/api/v1/residents/{id}/memberships", h_residents_add_membership, ON_PERSON(CAP_PEOPLE_WRITE),
     membership_body, NULL, true, RATE_WRITE, 201, "addMembership", "Người dân",
     "Thêm quan hệ với một đơn vị (nơi làm việc, trường, chợ)", "Resident", .also_unit = "unit_id"},
    {"GET", "/api/v1/households", h_households_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     households_query, false, RATE_NONE, 200, "listHouseholds", "Người dân", "Danh sách hộ gia đình trong phạm vi",
     "HouseholdPage"},
    {"GET", "/api/v1/households/{id}", h_households_get, ON_HOUSEHOLD(CAP_PEOPLE_READ), NULL, NULL, false, RATE_NONE,
     200, "getHousehold", "Người dân", "Một hộ gia đình và các thành viên (được ghi nhật ký)", "Household"},
    {"POST", "/api/v1/households", h_households_create, ON_UNIT(CAP_PEOPLE_WRITE, "unit_id", FROM_BODY),
     household_create_body, NULL, true, RATE_WRITE, 201, "createHousehold", "Người dân",
     "Thêm hộ gia đình vào một tổ dân phố", "Household"},
    {"PATCH", "/api/v1/households/{id}", h_households_update, ON_HOUSEHOLD(CAP_PEOPLE_WRITE), household_update_body,
     NULL, true, RATE_WRITE, 200, "updateHousehold", "Người dân", "Sửa mã, địa chỉ hộ gia đình", "Household"},
    {"GET", "/api/v1/me/person", h_me_person, LOGIN(0), NULL, NULL, false, RATE_NONE, 200, "getMyPerson",
     "Phiên làm việc", "Hồ sơ người dân của chính mình (được ghi nhật ký)", "Resident"},
    /* list import (nhập danh sách từ Excel) */
    {"POST", "/api/v1/imports", h_imports_upload, LOGIN(CAP_PEOPLE_WRITE), NULL, import_upload_query, true,
     RATE_WRITE, 201, "uploadImport", "Nhập danh sách",
     "Gửi tệp danh sách (CSV hoặc Excel .xlsx, thân yêu cầu là nội dung tệp, tối đa 256 MiB): trả về các cột nhận "
     "ra, 5 dòng đầu và các cột bắt buộc còn thiếu để người dùng xác nhận cách ghép cột",
     "ImportUpload", .body_limit = 256u * 1024 * 1024},
    /* question bank (ngân hàng câu hỏi) */
    {"POST", "/api/v1/questions/import", h_questions_import, LOGIN(CAP_CONTENT_WRITE), NULL, questions_import_query,
     true, RATE_WRITE, 200, "importQuestions", "Học tập",
     "Nhập câu hỏi từ tệp GIFT hoặc Moodle XML (thân yêu cầu là nội dung tệp, tối đa 8 MiB): giữ các câu hợp lệ, "
     "báo từng câu không nhận được với dòng và lý do; nhập lại cùng tệp không thêm gì",
     "QuestionImport", .body_limit = 8u * 1024 * 1024},
    {"GET", "/api/v1/questions", h_questions_list, LOGIN(CAP_CONTENT_WRITE), NULL, questions_query, false, RATE_NONE,
     200, "listQuestions", "Học tập", "Ngân hàng câu hỏi, mới nhất trước, lọc theo năng lực số, bậc, loại, từ khóa",
     "QuestionPage"},
    {"GET", "/api/v1/questions/{id}", h_questions_get, LOGIN(CAP_CONTENT_WRITE), NULL, NULL, false, RATE_NONE, 200,
     "getQuestion", "Học tập", "Một câu hỏi với các phương án, đáp án và giải thích (chỉ người soạn nội dung)",
     "Question"},
    {"POST", "/api/v1/competencies", h_competencies_create, LOGIN(CAP_CONTENT_WRITE), competency_body, NULL, true,
     RATE_WRITE, 201, "createCompetency", "Học tập", "Thêm một năng lực thành phần vào một khung (mở rộng khung, hoặc nạp khung mới)",
     "CompetencyCreated"},
    {"GET", "/api/v1/competencies", h_competencies_list, LOGIN(0), NULL, competencies_query, false, RATE_NONE, 200,
     "listCompetencies", "Học tập",
     "Khung năng lực số (Thông tư 02/2025/TT-BGDĐT, QĐ 757/QĐ-BKHCN): các năng lực thành phần và số câu hỏi của mỗi năng lực",
     "CompetencyPage"},
    /* courses and lessons (khóa học, bài học) */
    {"GET", "/api/v1/courses", h_courses_list, LOGIN(CAP_LEARN), NULL, courses_query, false, RATE_NONE, 200,
     "listCourses", "Học tập",
     "Các khóa học với học phần, bài học (đã học hay chưa, của chính mình) và bài kiểm tra của mỗi học phần",
     "CoursePage"},
    {"GET", "/api/v1/lessons/{id}", h_lessons_get, LOGIN(CAP_LEARN), NULL, NULL, false, RATE_NONE, 200, "getLesson",
     "Học tập", "Một bài học để đọc (HTML dựng từ Markdown, không có HTML thô), với bài trước và bài sau", "Lesson"},
    {"POST", "/api/v1/lessons/{id}/complete", h_lessons_complete, LOGIN(CAP_LEARN), NULL, NULL, true, RATE_WRITE, 204,
     "completeLesson", "Học tập", "Đánh dấu mình đã học xong bài này (làm lại: không thay đổi gì)", NULL},
    /* quizzes (bài kiểm tra) and attempts (bài làm) */
    {"POST", "/api/v1/quizzes", h_quizzes_create, LOGIN(CAP_CONTENT_WRITE), quiz_body, NULL, true, RATE_WRITE, 201,
     "createQuiz", "Học tập", "Tạo bài kiểm tra rút câu hỏi ngẫu nhiên từ ngân hàng theo năng lực số, bậc, danh mục",
     "QuizCreated"},
    {"GET", "/api/v1/quizzes", h_quizzes_list, LOGIN(CAP_LEARN), NULL, quizzes_query, false, RATE_NONE, 200,
     "listQuizzes", "Học tập", "Các bài kiểm tra, với kết quả của chính mình (số lần đã làm, điểm cao nhất, đạt chưa)",
     "QuizPage"},
    {"POST", "/api/v1/quizzes/{id}/attempts", h_attempts_start, LOGIN(CAP_LEARN), NULL, NULL, true, RATE_WRITE, 201,
     "startAttempt", "Học tập",
     "Bắt đầu một lượt làm bài (hoặc mở lại lượt đang làm: 200): câu hỏi rút ngẫu nhiên, phương án xáo trộn, không kèm đáp án",
     "Attempt"},
    {"GET", "/api/v1/attempts/{id}", h_attempts_get, AUTH_LOGIN, CAP_LEARN, SCOPE_ATTEMPT, "id", FROM_PATH, NULL, NULL,
     false, RATE_NONE, 200, "getAttempt", "Học tập",
     "Một bài làm của chính mình: câu hỏi khi đang làm; sau khi nộp, đáp án, giải thích và điểm từng câu", "Attempt"},
    {"PUT", "/api/v1/attempts/{id}/answers", h_attempts_answers_save, AUTH_LOGIN, CAP_LEARN, SCOPE_ATTEMPT, "id",
     FROM_PATH, attempt_answers_body, NULL, true, RATE_WRITE, 204, "saveAttemptAnswers", "Học tập",
     "Lưu tạm các câu trả lời của bài đang làm (sau mỗi lần chọn): mất mạng hay mở lại trang không mất bài; không chấm"
     " điểm, không cho biết đúng sai",
     NULL, .tx_late = true},
    {"POST", "/api/v1/attempts/{id}/submit", h_attempts_submit, AUTH_LOGIN, CAP_LEARN, SCOPE_ATTEMPT, "id", FROM_PATH,
     attempt_submit_body, NULL, true, RATE_WRITE, 200, "submitAttempt", "Học tập",
     "Nộp bài: máy chủ chấm điểm, trả về đáp án, giải thích và kết quả", "Attempt"},
    /* change in competence (năng lực số trước và sau), assisted attempts (làm bài cùng người dân) */
    {"GET", "/api/v1/me/competence", h_me_competence, LOGIN(CAP_LEARN), NULL, NULL, false, RATE_NONE, 200,
     "getMyCompetence", "Học tập",
     "Năng lực số của chính mình theo từng năng lực thành phần: trước (bài kiểm tra đầu vào đầu tiên) và sau",
     "CompetenceProfile"},
    {"GET", "/api/v1/residents/{id}/competence", h_residents_competence, ON_PERSON(CAP_PEOPLE_READ), NULL, NULL,
     false, RATE_NONE, 200, "getResidentCompetence", "Học tập",
     "Năng lực số của một người dân, trước và sau (được ghi nhật ký như mọi lần xem hồ sơ)", "CompetenceProfile"},
    {"GET", "/api/v1/reports/competence-change", h_reports_competence_change,
     ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL, competence_change_query, false, RATE_NONE, 200,
     "getCompetenceChange", "Học tập",
     "Thay đổi năng lực số của người học được đo hai lần, theo năng lực, theo đơn vị con và theo nhóm đối tượng",
     "CompetenceChange"},
    {"POST", "/api/v1/residents/{id}/attempts", h_residents_attempts_start, ON_PERSON(CAP_FIELD_WRITE),
     assisted_attempt_body, NULL, true, RATE_WRITE, 201, "startAssistedAttempt", "Học tập",
     "Cán bộ hỗ trợ bắt đầu (hoặc mở lại: 200) một lượt làm bài cùng người dân không có điện thoại, người dân có mặt: "
     "bài làm tính cho người dân, ghi tên người hỗ trợ",
     "Attempt"},
    /* certificates (chứng nhận) */
    {"GET", "/.well-known/hocvuso/certificate-keys.json", h_cert_keys, PUB, NULL, NULL, false, RATE_NONE, 200,
     "getCertificateKeys", "Chứng nhận",
     "Các khóa công khai Ed25519 dùng để kiểm tra chữ ký chứng nhận (kể cả các khóa cũ)", "CertificateKeys"},
    {"GET", "/api/v1/certificates/{id}/verify", h_cert_verify, PUB, NULL, NULL, false, RATE_NONE, 200,
     "verifyCertificate", "Chứng nhận",
     "Kiểm tra công khai một chứng nhận theo mã: còn hiệu lực, đã thu hồi hay không có (404); chỉ cho biết họ tên người được cấp",
     "CertificateVerification"},
    {"POST", "/api/v1/certificates/verify", h_cert_verify_signed, PUB, cert_verify_body, NULL, false, RATE_NONE, 200,
     "verifySignedCertificate", "Chứng nhận",
     "Kiểm tra nội dung đã ký lấy từ mã QR: chữ ký, rồi tình trạng trong sổ (valid, revoked, unknown, forged)",
     "CertificateVerification"},
    {"GET", "/api/v1/certificates", h_certs_list, LOGIN(0), NULL, certs_query, false, RATE_NONE, 200,
     "listCertificates", "Chứng nhận",
     "Chứng nhận của chính mình, và của người dân trong phạm vi quản lý (people.read), mới nhất trước",
     "CertificatePage"},
    {"GET", "/api/v1/certificates/{id}", h_certs_get, AUTH_LOGIN, 0, SCOPE_CERT, "id", FROM_PATH, NULL, NULL, false,
     RATE_NONE, 200, "getCertificate", "Chứng nhận",
     "Một chứng nhận: của chính mình, hoặc của người dân trong phạm vi (ghi nhật ký), với nội dung mã QR",
     "Certificate"},
    {"GET", "/api/v1/certificates/{id}/qr.svg", h_certs_qr, AUTH_LOGIN, 0, SCOPE_CERT, "id", FROM_PATH, NULL, NULL,
     false, RATE_NONE, 200, "getCertificateQr", "Chứng nhận",
     "Mã QR của chứng nhận (SVG): địa chỉ trang kiểm tra kèm nội dung đã ký", NULL},
    {"GET", "/api/v1/certificates/{id}/pdf", h_certs_pdf, AUTH_LOGIN, 0, SCOPE_CERT, "id", FROM_PATH, NULL, NULL,
     false, RATE_NONE, 200, "getCertificatePdf", "Chứng nhận",
     "Bản PDF để in (A4 ngang, có mã QR mang nội dung đã ký); người khác chủ chứng nhận xem thì ghi nhật ký", NULL},
    {"POST", "/api/v1/certificates/{id}/revoke", h_certs_revoke, AUTH_LOGIN, CAP_CERT_MANAGE, SCOPE_CERT, "id",
     FROM_PATH, cert_revoke_body, NULL, true, RATE_WRITE, 200, "revokeCertificate", "Chứng nhận",
     "Thu hồi một chứng nhận, có lý do; trang kiểm tra công khai sẽ báo đã thu hồi", "Certificate"},
    {"GET", "/api/v1/programmes", h_programmes_list, LOGIN(0), NULL, NULL, false, RATE_NONE, 200, "listProgrammes",
     "Chứng nhận", "Các chương trình cấp chứng nhận và điều kiện cấp", "ProgrammePage"},
    {"POST", "/api/v1/programmes", h_programmes_create, LOGIN(CAP_CERT_MANAGE), programme_create_body, NULL, true,
     RATE_WRITE, 201, "createProgramme", "Chứng nhận", "Thêm một chương trình cấp chứng nhận", "ProgrammeCreated"},
    {"PATCH", "/api/v1/programmes/{id}", h_programmes_update, LOGIN(CAP_CERT_MANAGE), programme_update_body, NULL, true,
     RATE_WRITE, 204, "updateProgramme", "Chứng nhận",
     "Sửa điều kiện cấp (học phần bắt buộc theo nhóm đối tượng, điểm đạt, kiểm tra trực tiếp); chứng nhận đã cấp giữ nguyên",
     NULL},
    {"POST", "/api/v1/residents/{id}/programme-checks", h_programme_check, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_PERSON, "id",
     FROM_PATH, programme_check_body, NULL, true, RATE_WRITE, 201, "checkPersonForProgramme", "Chứng nhận",
     "Ghi nhận đã kiểm tra trực tiếp người học; cấp chứng nhận ngay nếu đã đạt đủ các học phần (200: đã ghi nhận trước đó)",
     "ProgrammeCheck"},
    {"GET", "/api/v1/imports", h_imports_list, LOGIN(CAP_PEOPLE_WRITE), NULL, imports_query, false, RATE_NONE, 200,
     "listImports", "Nhập danh sách", "Các lượt nhập danh sách của mình, mới nhất trước", "ImportPage"},
    {"GET", "/api/v1/imports/{id}", h_imports_get, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_IMPORT, "id", FROM_PATH, NULL,
     NULL, false, RATE_NONE, 200, "getImport", "Nhập danh sách",
     "Trạng thái và tiến độ một lượt nhập, với 100 dòng bị từ chối đầu tiên", "Import"},
    {"PUT", "/api/v1/imports/{id}/mapping", h_imports_mapping, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_IMPORT, "id",
     FROM_PATH, import_mapping_body, NULL, true, RATE_WRITE, 200, "setImportMapping", "Nhập danh sách",
     "Sửa cách ghép cột (mỗi trường một cột, đánh số từ 0 = A) trước khi bắt đầu", "Import"},
    {"POST", "/api/v1/imports/{id}/start", h_imports_start, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_IMPORT, "id",
     FROM_PATH, NULL, NULL, true, RATE_WRITE, 200, "startImport", "Nhập danh sách",
     "Bắt đầu nhập (chạy nền, từng đợt; xem tiến độ bằng GET)", "Import"},
    {"GET", "/api/v1/imports/{id}/errors.csv", h_imports_errors, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_IMPORT, "id",
     FROM_PATH, NULL, NULL, false, RATE_NONE, 200, "getImportErrors", "Nhập danh sách",
     "Báo cáo lỗi: các dòng bị từ chối với cột “Dòng” và “Lý do” (CSV UTF-8 có BOM, mở được bằng Excel)", NULL},
    /* data subjects' requests (yêu cầu về dữ liệu cá nhân, 72 giờ) */
    {"POST", "/api/v1/me/requests", h_me_requests_create, LOGIN(0), my_request_body, NULL, true, RATE_WRITE, 201,
     "createMyRequest", "Dữ liệu cá nhân",
     "Gửi yêu cầu xem, sửa, hạn chế xử lý hoặc xóa dữ liệu của chính mình (trả lời trong 72 giờ)", "DataRequest"},
    {"GET", "/api/v1/me/requests", h_me_requests_list, LOGIN(0), NULL, NULL, false, RATE_NONE, 200, "listMyRequests",
     "Dữ liệu cá nhân", "Các yêu cầu mình đã gửi và câu trả lời", "DataRequestList"},
    {"GET", "/api/v1/requests", h_requests_list, ON_UNIT(CAP_PEOPLE_WRITE, "unit_id", FROM_QUERY), NULL,
     requests_query, false, RATE_NONE, 200, "listRequests", "Dữ liệu cá nhân",
     "Yêu cầu của người dân trong phạm vi (người đăng ký tại đơn vị mình quản lý), khẩn nhất trước",
     "DataRequestPage"},
    {"GET", "/api/v1/requests/summary", h_requests_summary, LOGIN(CAP_PEOPLE_WRITE), NULL, NULL, false, RATE_NONE,
     200, "getRequestSummary", "Dữ liệu cá nhân", "Số yêu cầu đang chờ, quá hạn, đến hạn trong 24 giờ", "RequestSummary"},
    {"GET", "/api/v1/requests/{id}", h_requests_get, ON_REQUEST(CAP_PEOPLE_WRITE), NULL, NULL, false, RATE_NONE, 200,
     "getRequest", "Dữ liệu cá nhân", "Một yêu cầu (được ghi nhật ký)", "DataRequest"},
    {"POST", "/api/v1/requests/{id}/answer", h_requests_answer, ON_REQUEST(CAP_PEOPLE_WRITE), request_answer_body,
     NULL, true, RATE_WRITE, 200, "answerRequest", "Dữ liệu cá nhân",
     "Trả lời yêu cầu: đã thực hiện (xóa: xóa hồ sơ; hạn chế: loại khỏi mọi tệp xuất) hoặc từ chối có lý do",
     "DataRequest"},
    /* export (xuất danh sách) */
    {"GET", "/api/v1/residents/export", h_residents_export, ON_UNIT(CAP_PEOPLE_EXPORT, "unit_id", FROM_QUERY), NULL,
     residents_export_query, false, RATE_NONE, 200, "exportResidents", "Người dân",
     "Xuất toàn bộ danh sách người dân trong phạm vi (lọc như danh sách) ra CSV hoặc Excel, từng phần, được ghi nhật ký",
     NULL},
    /* confirmations from outside (xác nhận từ VNeID, nền tảng Bình dân học vụ số, khóa học khác) */
    {"GET", "/api/v1/residents/{id}/confirmations", h_person_confirmations, ON_PERSON(CAP_PEOPLE_READ), NULL, NULL,
     false, RATE_NONE, 200, "listPersonConfirmations", "Học tập",
     "Các xác nhận từ bên ngoài của một người (VNeID, nền tảng Bình dân học vụ số, khóa học khác; được ghi nhật ký)",
     "ConfirmationList"},
    {"POST", "/api/v1/residents/{id}/confirmations", h_person_confirmations_add, ON_PERSON(CAP_PEOPLE_WRITE),
     confirmation_body, NULL, true, RATE_WRITE, 201, "recordConfirmation", "Học tập",
     "Ghi nhận một xác nhận từ bên ngoài; đã có (cùng loại, nguồn, ngày): 200 với bản ghi đó, không ghi thêm",
     "Confirmation"},
    {"GET", "/api/v1/confirmations", h_confirmations_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     confirmations_query, false, RATE_NONE, 200, "listConfirmations", "Học tập",
     "Xác nhận từ bên ngoài của người dân đăng ký trong phạm vi, ngày mới nhất trước, với số người theo từng loại",
     "ConfirmationPage"},
    {"POST", "/api/v1/confirmations/import", h_confirmations_import, ON_UNIT(CAP_PEOPLE_WRITE, "unit_id", FROM_QUERY),
     NULL, confirmations_import_query, true, RATE_WRITE, 200, "importConfirmations", "Học tập",
     "Nhập danh sách xác nhận (CSV hoặc Excel, thân yêu cầu là nội dung tệp, tối đa 16 MiB; cột Số CCCD, Loại xác nhận, "
     "Nguồn, Ngày xác nhận, Số hiệu): ghép theo CCCD với người dân trong phạm vi; báo từng dòng không ghép được hoặc "
     "sai; nhập lại không ghi trùng",
     "ConfirmationImport", .body_limit = 16u * 1024 * 1024, .tx_late = true},
    {"DELETE", "/api/v1/confirmations/{id}", h_confirmations_delete, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_CONFIRMATION,
     "id", FROM_PATH, NULL, NULL, true, RATE_WRITE, 204, "deleteConfirmation", "Học tập",
     "Xóa một xác nhận ghi nhầm (quyền people.write trên đơn vị đăng ký của người đó; được ghi nhật ký)", NULL},
    /* Chợ số – Siêu thị số: the 4T steps of small traders (trade.h) */
    {"GET", "/api/v1/markets", h_markets_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL, markets_query,
     false, RATE_NONE, 200, "listMarkets", "Mô hình 4T",
     "Các chợ trong phạm vi với số tiểu thương và số người đã thực hiện từng bước 4T; kèm danh mục các bước",
     "MarketList"},
    {"GET", "/api/v1/traders", h_traders_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL, traders_query,
     false, RATE_NONE, 200, "listTraders", "Mô hình 4T",
     "Tiểu thương trong phạm vi (qua chợ hoặc nơi đăng ký), theo chợ rồi tên, với các bước 4T đã thực hiện",
     "TraderPage"},
    {"POST", "/api/v1/residents/{id}/trade-steps", h_trade_step_record, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_TRADER, "id",
     FROM_PATH, trade_step_body, NULL, true, RATE_WRITE, 201, "recordTradeStep", "Mô hình 4T",
     "Ghi nhận một tiểu thương đã thực hiện một bước 4T (quyền field.write trên nơi đăng ký hoặc chợ của người đó); "
     "đã ghi bước này rồi: 200 với bản ghi đầu tiên, không ghi thêm",
     "TradeStepRecord"},
    {"DELETE", "/api/v1/residents/{id}/trade-steps", h_trade_step_delete, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_TRADER, "id",
     FROM_PATH, NULL, trade_step_delete_query, true, RATE_WRITE, 204, "deleteTradeStep", "Mô hình 4T",
     "Xóa một bước 4T ghi nhầm của tiểu thương (cùng quyền như khi ghi; được ghi nhật ký)", NULL},
    /* training classes (lớp bồi dưỡng, tập huấn) */
    {"GET", "/api/v1/classes", h_classes_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL, classes_query,
     false, RATE_NONE, 200, "listClasses", "Lớp bồi dưỡng",
     "Các lớp do đơn vị trong phạm vi tổ chức, mới nhất trước, với số buổi, số người ghi danh và hoàn thành",
     "ClassPage"},
    {"POST", "/api/v1/classes", h_classes_create, ON_UNIT(CAP_PEOPLE_WRITE, "unit_id", FROM_BODY), class_create_body,
     NULL, true, RATE_WRITE, 201, "createClass", "Lớp bồi dưỡng", "Mở một lớp bồi dưỡng, tập huấn của một đơn vị",
     "Class"},
    {"GET", "/api/v1/classes/{id}", h_classes_get, AUTH_LOGIN, CAP_PEOPLE_READ, SCOPE_CLASS, "id", FROM_PATH, NULL, NULL,
     false, RATE_NONE, 200, "getClass", "Lớp bồi dưỡng",
     "Một lớp: các buổi học, người học với điểm danh từng buổi và kết quả", "Class"},
    {"POST", "/api/v1/classes/{id}/sessions", h_classes_session_add, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_CLASS, "id",
     FROM_PATH, class_session_body, NULL, true, RATE_WRITE, 201, "addClassSession", "Lớp bồi dưỡng",
     "Thêm một buổi học (ngày, địa điểm)", "Class"},
    {"POST", "/api/v1/classes/{id}/enrolments", h_classes_enrol, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_CLASS, "id",
     FROM_PATH, class_enrol_body, NULL, true, RATE_WRITE, 201, "enrolInClass", "Lớp bồi dưỡng",
     "Ghi danh một người (trong phạm vi mình được xem) vào lớp; đã ghi danh: 200, không ghi thêm", "Class"},
    {"PUT", "/api/v1/classes/{id}/attendance", h_classes_attendance, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_CLASS, "id",
     FROM_PATH, class_attendance_body, NULL, true, RATE_WRITE, 200, "setClassAttendance", "Lớp bồi dưỡng",
     "Điểm danh một buổi đã diễn ra: danh sách người có mặt (thay danh sách cũ của buổi đó)", "Class"},
    {"POST", "/api/v1/classes/{id}/outcomes", h_classes_outcome, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_CLASS, "id",
     FROM_PATH, class_outcome_body, NULL, true, RATE_WRITE, 200, "setClassOutcome", "Lớp bồi dưỡng",
     "Ghi kết quả của một người học: hoàn thành hay chưa (tính vào chỉ tiêu 1 với cán bộ, công chức)", "Class"},
    /* events (sự kiện: Ngày hội toàn dân học tập số) */
    {"GET", "/api/v1/events", h_events_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL, events_query, false,
     RATE_NONE, 200, "listEvents", "Sự kiện",
     "Các sự kiện do đơn vị trong phạm vi tổ chức, ngày gần nhất trước, với số người tham dự", "EventPage"},
    {"POST", "/api/v1/events", h_events_create, ON_UNIT(CAP_PEOPLE_WRITE, "unit_id", FROM_BODY), event_create_body, NULL,
     true, RATE_WRITE, 201, "createEvent", "Sự kiện", "Thêm một sự kiện của một đơn vị", "Event"},
    {"GET", "/api/v1/events/{id}", h_events_get, AUTH_LOGIN, CAP_PEOPLE_READ, SCOPE_EVENT, "id", FROM_PATH, NULL, NULL,
     false, RATE_NONE, 200, "getEvent", "Sự kiện",
     "Một sự kiện: các hoạt động, người tham dự có trong sổ dân cư, số người chưa đăng ký", "Event"},
    {"PATCH", "/api/v1/events/{id}", h_events_update, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_EVENT, "id", FROM_PATH,
     event_update_body, NULL, true, RATE_WRITE, 200, "updateEvent", "Sự kiện",
     "Sửa tên, ngày, địa điểm hoặc số người tham dự chưa đăng ký", "Event"},
    {"POST", "/api/v1/events/{id}/activities", h_events_activity_add, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_EVENT, "id",
     FROM_PATH, event_activity_body, NULL, true, RATE_WRITE, 201, "addEventActivity", "Sự kiện",
     "Thêm một hoạt động của sự kiện", "Event"},
    {"POST", "/api/v1/events/{id}/participants", h_events_participant_add, AUTH_LOGIN, CAP_PEOPLE_WRITE, SCOPE_EVENT,
     "id", FROM_PATH, event_participant_body, NULL, true, RATE_WRITE, 201, "addEventParticipant", "Sự kiện",
     "Ghi nhận một người dân (trong phạm vi mình được xem) đã tham dự; đã ghi: 200, không ghi thêm", "Event"},
    /* Đại sứ số: mentors, mentees, guidance sessions, helpers at the service centre (ambassadors.h) */
    {"GET", "/api/v1/ambassadors", h_ambassadors_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     ambassadors_query, false, RATE_NONE, 200, "listAmbassadors", "Đại sứ số",
     "Đại sứ số trong phạm vi: người hướng dẫn (số người đang hướng dẫn, thiếu so với quy định 5 người) và người hỗ trợ "
     "tại Trung tâm phục vụ hành chính công",
     "AmbassadorPage"},
    {"GET", "/api/v1/ambassadors/summary", h_ambassadors_summary, LOGIN(CAP_PEOPLE_READ), NULL, NULL, false, RATE_NONE,
     200, "getAmbassadorSummary", "Đại sứ số",
     "Các quy định của kế hoạch trong phạm vi: số đại sứ số chưa đủ 5 người được hướng dẫn; trung tâm chưa có người hỗ trợ",
     "AmbassadorSummary"},
    {"POST", "/api/v1/ambassadors", h_ambassadors_create, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_UNIT_PERSON, "unit_id",
     FROM_BODY, ambassador_body, NULL, true, RATE_WRITE, 201, "createAmbassador", "Đại sứ số",
     "Giao một người trong sổ dân cư làm đại sứ số hướng dẫn, hoặc hỗ trợ tại Trung tâm phục vụ hành chính công",
     "Ambassador"},
    {"GET", "/api/v1/ambassadors/{id}", h_ambassadors_get, AUTH_LOGIN, CAP_PEOPLE_READ, SCOPE_AMBASSADOR, "id",
     FROM_PATH, NULL, NULL, false, RATE_NONE, 200, "getAmbassador", "Đại sứ số",
     "Một đại sứ số: người đang và đã hướng dẫn, các buổi hướng dẫn, người dân đã hỗ trợ tại trung tâm", "Ambassador"},
    {"POST", "/api/v1/ambassadors/{id}/end", h_ambassadors_end, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_AMBASSADOR, "id",
     FROM_PATH, NULL, NULL, true, RATE_WRITE, 200, "endAmbassador", "Đại sứ số",
     "Kết thúc nhiệm vụ của đại sứ số (các phân công hướng dẫn đang mở cũng kết thúc; lịch sử được giữ)", "Ambassador"},
    {"POST", "/api/v1/ambassadors/{id}/helps", h_ambassadors_help, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_AMBASSADOR, "id",
     FROM_PATH, service_help_body, NULL, true, RATE_WRITE, 201, "logServiceHelp", "Đại sứ số",
     "Ghi nhận người hỗ trợ tại trung tâm đã giúp một người dân (ngày, việc đã hỗ trợ)", "ServiceHelp"},
    {"POST", "/api/v1/mentorships", h_mentorships_create, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_MENTEE, "mentee_id",
     FROM_BODY, mentorship_body, NULL, true, RATE_WRITE, 201, "assignMentee", "Đại sứ số",
     "Phân công một người cho đại sứ số hướng dẫn; người đang có người hướng dẫn thì bị từ chối (409, trường mentee_id)",
     "Mentorship"},
    {"POST", "/api/v1/mentorships/{id}/end", h_mentorships_end, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_MENTORSHIP, "id",
     FROM_PATH, NULL, NULL, true, RATE_WRITE, 200, "endMentorship", "Đại sứ số",
     "Kết thúc phân công hướng dẫn (giữ trong lịch sử; người này có thể được phân công lại)", "Mentorship"},
    {"POST", "/api/v1/mentorships/{id}/sessions", h_mentorships_session, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_MENTORSHIP,
     "id", FROM_PATH, mentor_session_body, NULL, true, RATE_WRITE, 201, "logMentorSession", "Đại sứ số",
     "Ghi một buổi hướng dẫn (ngày không ở tương lai, nội dung)", "MentorSession"},
    /* Gia đình số (families.h): the rule written once; VNeID coverage (vneid.h) */
    {"GET", "/api/v1/families", h_families_summary, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     reach_unit_query, false, RATE_NONE, 200, "getFamilySummary", "Gia đình số",
     "Số hộ gia đình số (ít nhất một thành viên có chứng nhận còn hiệu lực hoặc xác nhận từ bên ngoài) theo tổ dân phố "
     "và toàn phạm vi",
     "FamilySummary"},
    {"GET", "/api/v1/families/left", h_families_left, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     reach_page_query, false, RATE_NONE, 200, "listFamiliesLeft", "Gia đình số",
     "Các hộ chưa có ai học (danh sách việc của tổ), theo tổ dân phố rồi địa chỉ", "FamilyPage"},
    /* Chỉ tiêu (indicators.h): the plan's targets and model rules for a unit on a date */
    {"GET", "/api/v1/indicators", h_indicators_get, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL,
     indicators_query, false, RATE_NONE, 200, "listIndicators", "Chỉ tiêu",
     "Các chỉ tiêu của kế hoạch (mục III) và của các mô hình (mục IV.3) cho một đơn vị và cả cây bên dưới, vào một "
     "ngày: tử số, mẫu số, tỷ lệ, chỉ tiêu của năm, khoảng còn thiếu",
     "IndicatorList"},
    {"GET", "/api/v1/indicators/ranking", h_indicators_ranking, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL,
     indicators_ranking_query, false, RATE_NONE, 200, "rankIndicatorUnits", "Chỉ tiêu",
     "Xếp hạng các đơn vị trực thuộc theo một chỉ tiêu (thi đua): tử số, mẫu số, tỷ lệ, khoảng còn thiếu; đơn vị "
     "chưa có ai trong mẫu số đứng cuối, không xếp hạng",
     "IndicatorRanking"},
    {"GET", "/api/v1/indicators/history", h_indicators_history, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL,
     indicators_history_query, false, RATE_NONE, 200, "getIndicatorHistory", "Chỉ tiêu",
     "Số liệu của một chỉ tiêu cuối mỗi quý đã qua (giữ nguyên như đã báo cáo), để xem xu hướng", "IndicatorHistory"},
    {"GET", "/api/v1/indicators/left-behind", h_indicators_left, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL,
     indicators_left_query, false, RATE_NONE, 200, "listIndicatorLeftBehind", "Chỉ tiêu",
     "Những người (hoặc hộ) chưa đạt một chỉ tiêu trong đơn vị và cả cây bên dưới: trong mẫu số, chưa ở tử số; theo "
     "tổ rồi họ tên (ghi nhật ký truy cập)",
     "IndicatorLeftBehindPage"},
    {"GET", "/api/v1/indicators/left-behind.csv", h_indicators_left_csv, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY),
     NULL, indicators_left_csv_query, false, RATE_NONE, 200, "getIndicatorLeftBehindCsv", "Chỉ tiêu",
     "Danh sách việc của tổ: những người (hoặc hộ) chưa đạt một chỉ tiêu, tệp CSV mở được bằng Excel (ghi nhật ký "
     "truy cập)",
     NULL},
    {"GET", "/api/v1/board", h_board, PUB, NULL, board_query, false, RATE_NONE, 200, "getPublicBoard", "Chỉ tiêu",
     "Bảng tin công khai tiến độ phong trào của phường (màn hình LED): các chỉ tiêu, không có dữ liệu cá nhân; "
     "số liệu cập nhật mỗi 5 phút",
     "PublicBoard"},
    /* Báo cáo quý, năm (report.h): from the quarter's snapshot, in the layout of Nghị định 30/2020 */
    {"GET", "/api/v1/reports", h_reports_get, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL, report_query, false,
     RATE_NONE, 200, "getReport", "Chỉ tiêu",
     "Nội dung báo cáo quý hoặc năm của một đơn vị: các chỉ tiêu, các mô hình và nhiệm vụ của kế hoạch, theo số liệu "
     "cuối quý đã lưu",
     "Report"},
    {"GET", "/api/v1/reports/pdf", h_reports_pdf, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL, report_query, false,
     RATE_NONE, 200, "getReportPdf", "Chỉ tiêu",
     "Báo cáo kết quả thực hiện Phong trào Bình dân học vụ số (PDF, thể thức Nghị định 30/2020/NĐ-CP)", NULL},
    {"GET", "/api/v1/reports/report.xlsx", h_reports_xlsx, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL, report_query, false,
     RATE_NONE, 200, "getReportXlsx", "Chỉ tiêu", "Báo cáo kết quả thực hiện Phong trào Bình dân học vụ số (Excel)", NULL},
    {"GET", "/api/v1/commendations", h_commendations, ON_UNIT(CAP_REPORTS_READ, "unit", FROM_QUERY), NULL,
     indicators_query, false, RATE_NONE, 200, "listCommendationCandidates", "Chỉ tiêu",
     "Thi đua, khen thưởng: các đơn vị trực thuộc đủ điều kiện theo từng tiêu chí phường đặt", "Commendations"},
    {"POST", "/api/v1/commendations/rules", h_commendation_rules_add, LOGIN(CAP_INDICATORS_WRITE),
     commendation_rule_body, NULL, true, RATE_WRITE, 201, "createCommendationRule", "Chỉ tiêu",
     "Đặt một tiêu chí khen thưởng: đạt mọi chỉ tiêu, đứng đầu theo một chỉ tiêu, hoặc đạt từ một tỷ lệ",
     "IndicatorDefinitionSaved"},
    {"GET", "/api/v1/indicators/definitions", h_indicator_defs_list, LOGIN(CAP_REPORTS_READ), NULL,
     indicator_defs_query, false, RATE_NONE, 200, "listIndicatorDefinitions", "Chỉ tiêu",
     "Định nghĩa các chỉ tiêu: có sẵn theo kế hoạch và do phường định nghĩa từ các khối dựng sẵn",
     "IndicatorDefinitionPage"},
    {"POST", "/api/v1/indicators/definitions", h_indicator_defs_create, LOGIN(CAP_INDICATORS_WRITE),
     indicator_def_create_body, NULL, true, RATE_WRITE, 201, "createIndicatorDefinition", "Chỉ tiêu",
     "Định nghĩa một chỉ tiêu mới từ các khối dựng sẵn, không cần lập trình (kiểm tra: khối không có, mẫu số luôn "
     "rỗng, vòng lặp)",
     "IndicatorDefinitionSaved"},
    {"PUT", "/api/v1/indicators/definitions/{id}", h_indicator_defs_update, LOGIN(CAP_INDICATORS_WRITE),
     indicator_def_update_body, NULL, true, RATE_WRITE, 200, "updateIndicatorDefinition", "Chỉ tiêu",
     "Sửa một chỉ tiêu do phường định nghĩa: tên, định nghĩa, chỉ tiêu theo năm, đang dùng hay không",
     "IndicatorDefinitionSaved"},
    {"GET", "/api/v1/vneid/coverage", h_vneid_coverage, ON_UNIT(CAP_IDENTITY_READ, "unit_id", FROM_QUERY), NULL,
     vneid_coverage_query, false, RATE_NONE, 200, "getVneidCoverage", "Định danh điện tử",
     "Người dân theo mức định danh điện tử VNeID (chưa có, mức 1, mức 2) theo tổ dân phố, cho công an phường;"
     " theo một ngày đã qua: mức của từng người vào ngày đó",
     "VneidCoverage"},
    {"GET", "/api/v1/vneid/worklist", h_vneid_worklist, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     reach_page_query, false, RATE_NONE, 200, "listVneidWorklist", "Định danh điện tử",
     "Người từ 18 tuổi chưa có định danh điện tử mức 2 (danh sách việc của tổ), theo tổ dân phố rồi họ tên",
     "VneidWorklistPage"},
    /* the plan's tasks (kế hoạch, mục IV: nhiệm vụ 1.1 đến 3.6) and attachments (tệp đính kèm) */
    {"GET", "/api/v1/plan/tasks", h_plan_tasks_list, PUB, NULL, NULL, false, RATE_NONE, 200, "listPlanTasks", "Kế hoạch",
     "Các nhiệm vụ của kế hoạch (mục IV, nguyên văn): đơn vị chủ trì, đơn vị phối hợp, thời gian thực hiện và tình trạng "
     "(chưa bắt đầu, đúng tiến độ, chậm tiến độ, hoàn thành) tính từ thời gian và các báo cáo tiến độ",
     "PlanTaskList"},
    {"GET", "/api/v1/plan/tasks/{id}", h_plan_task_get, LOGIN(CAP_UNITS_READ), NULL, NULL, false, RATE_NONE, 200,
     "getPlanTask", "Kế hoạch",
     "Một nhiệm vụ: các đơn vị của phường chịu trách nhiệm và các báo cáo tiến độ (số liệu, tệp đính kèm), mới nhất trước",
     "PlanTask"},
    {"POST", "/api/v1/plan/tasks/{id}/updates", h_plan_update_add, AUTH_LOGIN, CAP_PLAN_WRITE, SCOPE_PLAN_TASK, "unit_id",
     FROM_BODY, plan_update_body, NULL, true, RATE_WRITE, 201, "addPlanUpdate", "Kế hoạch",
     "Gửi báo cáo tiến độ thay cho một đơn vị chủ trì hoặc phối hợp của nhiệm vụ (quyền plan.write trên đơn vị đó); "
     "trả về nhiệm vụ với tình trạng mới",
     "PlanTask"},
    {"POST", "/api/v1/plan/tasks/{id}/attachments", h_plan_attachment_upload, AUTH_LOGIN, CAP_PLAN_WRITE,
     SCOPE_PLAN_TASK, "unit_id", FROM_QUERY, NULL, plan_attachment_query, true, RATE_WRITE, 201,
     "uploadPlanAttachment", "Kế hoạch",
     "Gửi lên một tệp đính kèm cho báo cáo (thân yêu cầu là nội dung tệp, tối đa 10 MiB; PDF, PNG, JPEG, WebP, loại "
     "được đọc từ nội dung: tệp không đúng loại tên hoặc Content-Type ghi bị từ chối 415); rồi ghi mã tệp vào báo cáo",
     "Attachment", .body_limit = ATTACH_MAX_BYTES, .tx_late = true},
    {"GET", "/api/v1/attachments/{id}", h_attachment_get, AUTH_LOGIN, 0, SCOPE_ATTACHMENT, "id", FROM_PATH, NULL, NULL,
     false, RATE_NONE, 200, "getAttachment", "Kế hoạch",
     "Tải một tệp đính kèm (Content-Disposition: attachment), nếu được xem đối tượng chứa nó", NULL},
    {"GET", "/api/v1/plan/units", h_plan_units_list, LOGIN(CAP_UNITS_READ), NULL, NULL, false, RATE_NONE, 200,
     "listPlanUnits", "Kế hoạch",
     "Các tên đơn vị trong kế hoạch và các đơn vị của phường mà mỗi tên chỉ tới (ai được báo cáo thay cho đơn vị đó)",
     "PlanUnitList"},
    {"PUT", "/api/v1/plan/units/{id}", h_plan_units_set, AUTH_LOGIN, CAP_UNITS_WRITE, SCOPE_PLAN, NULL, FROM_PATH,
     plan_units_body, NULL, true, RATE_WRITE, 200, "setPlanUnits", "Kế hoạch",
     "Sửa các đơn vị của phường mà một tên đơn vị trong kế hoạch chỉ tới (quyền units.write trên phường của kế hoạch)",
     "PlanUnit"},
    /* schools (trường học: chương trình kỹ năng số theo Thông tư 02/2025, danh hiệu) */
    {"GET", "/api/v1/schools", h_schools_list, ON_UNIT(CAP_SCHOOL_READ, "unit_id", FROM_QUERY), NULL, schools_query,
     false, RATE_NONE, 200, "listSchools", "Trường học",
     "Các trường trong phạm vi: có dạy chương trình kỹ năng số theo Thông tư 02/2025 không, số học sinh được học, số "
     "danh hiệu; và số trường phổ thông đang dạy (chỉ tiêu 6 của kế hoạch)",
     "SchoolList"},
    {"GET", "/api/v1/schools/{id}", h_schools_get, ON_UNIT(CAP_SCHOOL_READ, "id", FROM_PATH), NULL, NULL, false,
     RATE_NONE, 200, "getSchool", "Trường học",
     "Một trường: chương trình kỹ năng số, minh chứng, số học sinh theo khối lớp, các danh hiệu (400 khi đơn vị không phải trường)",
     "School"},
    {"PUT", "/api/v1/schools/{id}/programme", h_schools_programme, ON_UNIT(CAP_SCHOOL_WRITE, "id", FROM_PATH),
     school_programme_body, NULL, true, RATE_WRITE, 200, "setSchoolProgramme", "Trường học",
     "Ghi trường có dạy chương trình kỹ năng số không, minh chứng và số học sinh theo khối lớp (quyền school.write "
     "trên trường: giáo viên sửa trường mình)",
     "School"},
    {"POST", "/api/v1/schools/{id}/designations", h_schools_designation, ON_UNIT(CAP_SCHOOL_WRITE, "id", FROM_PATH),
     school_designation_body, NULL, true, RATE_WRITE, 201, "addSchoolDesignation", "Trường học",
     "Ghi một danh hiệu: Trường học chuyển đổi số điển hình, lớp học số sáng tạo, giáo viên số tiêu biểu", "School"},
    {"POST", "/api/v1/schools/{id}/evidence", h_schools_evidence, ON_UNIT(CAP_SCHOOL_WRITE, "id", FROM_PATH), NULL,
     school_evidence_query, true, RATE_WRITE, 201, "uploadSchoolEvidence", "Trường học",
     "Gửi lên một tệp minh chứng của trường (thân yêu cầu là nội dung tệp, tối đa 10 MiB; PDF, PNG, JPEG, WebP, loại "
     "được đọc từ nội dung)",
     "Attachment", .body_limit = ATTACH_MAX_BYTES, .tx_late = true},
    /* resources (nguồn lực: đóng góp, kinh phí theo nhiệm vụ) */
    {"GET", "/api/v1/contributions", h_contributions_list, ON_UNIT(CAP_REPORTS_READ, "unit_id", FROM_QUERY), NULL,
     contributions_query, false, RATE_NONE, 200, "listContributions", "Kế hoạch",
     "Các đóng góp do đơn vị trong phạm vi tiếp nhận (tiền, thiết bị, cơ sở vật chất, nhân lực), mới nhất trước, với "
     "tổng số và giá trị theo loại và theo nguồn",
     "ContributionPage"},
    {"POST", "/api/v1/contributions", h_contributions_add, ON_UNIT(CAP_PLAN_WRITE, "unit_id", FROM_BODY),
     contribution_body, NULL, true, RATE_WRITE, 201, "addContribution", "Kế hoạch",
     "Ghi một đóng góp của tổ chức, doanh nghiệp hoặc cá nhân: loại, giá trị, nơi được nhận (đơn vị hoặc hộ thuộc đơn "
     "vị tiếp nhận), nhiệm vụ phục vụ",
     "Contribution"},
    {"GET", "/api/v1/plan/budgets", h_plan_budgets, LOGIN(CAP_REPORTS_READ), NULL, NULL, false, RATE_NONE, 200,
     "listPlanBudgets", "Kế hoạch",
     "Kinh phí của từng nhiệm vụ theo năm và nguồn, và giá trị đóng góp đã huy động cho nhiệm vụ", "PlanBudgetList"},
    {"PUT", "/api/v1/plan/tasks/{id}/budget", h_plan_budget_set, AUTH_LOGIN, CAP_PLAN_WRITE, SCOPE_PLAN, NULL,
     FROM_PATH, plan_budget_body, NULL, true, RATE_WRITE, 200, "setPlanBudget", "Kế hoạch",
     "Ghi kinh phí của một nhiệm vụ cho một năm và một nguồn (quyền plan.write trên phường của kế hoạch)", "PlanBudget"},
    /* Tổ công nghệ số cộng đồng: teams, door-to-door visits, worklists, coverage (field.h) */
    {"GET", "/api/v1/field/topics", h_field_topics, LOGIN(0), NULL, NULL, false, RATE_NONE, 200, "listFieldTopics",
     "Tổ công nghệ số", "Các nội dung hướng dẫn khi đến hộ và danh sách kết quả cho từng người", "FieldTopics"},
    {"POST", "/api/v1/field/topics", h_field_topics_create, LOGIN(CAP_UNITS_WRITE), field_topic_body, NULL, true,
     RATE_WRITE, 201, "createFieldTopic", "Tổ công nghệ số", "Thêm một nội dung hướng dẫn vào danh sách (quản trị phường)",
     "FieldTopic"},
    {"GET", "/api/v1/field/teams", h_field_teams_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     field_teams_query, false, RATE_NONE, 200, "listFieldTeams", "Tổ công nghệ số",
     "Các tổ công nghệ số cộng đồng của tổ dân phố trong phạm vi", "FieldTeamPage"},
    {"POST", "/api/v1/field/teams", h_field_teams_create, ON_UNIT(CAP_PEOPLE_WRITE, "unit_id", FROM_BODY),
     field_team_body, NULL, true, RATE_WRITE, 201, "createFieldTeam", "Tổ công nghệ số",
     "Lập tổ công nghệ số cộng đồng cho một tổ dân phố (mỗi tổ dân phố một tổ)", "FieldTeam"},
    {"GET", "/api/v1/field/teams/{id}", h_field_team_get, AUTH_LOGIN, CAP_PEOPLE_READ, SCOPE_FIELD_TEAM, "id",
     FROM_PATH, NULL, NULL, false, RATE_NONE, 200, "getFieldTeam", "Tổ công nghệ số",
     "Một tổ công nghệ số với các thành viên (người dân trong sổ, tài khoản nếu có)", "FieldTeam"},
    {"POST", "/api/v1/field/teams/{id}/members", h_field_team_members_add, AUTH_LOGIN, CAP_PEOPLE_WRITE,
     SCOPE_FIELD_TEAM_PERSON, "person_id", FROM_BODY, field_member_body, NULL, true, RATE_WRITE, 201,
     "addFieldTeamMember", "Tổ công nghệ số",
     "Thêm một người dân vào tổ (đã là thành viên: 200, cập nhật vai trò)", "FieldTeam"},
    {"DELETE", "/api/v1/field/teams/{id}/members/{person_id}", h_field_team_members_remove, AUTH_LOGIN,
     CAP_PEOPLE_WRITE, SCOPE_FIELD_TEAM, "id", FROM_PATH, NULL, NULL, true, RATE_WRITE, 200, "removeFieldTeamMember",
     "Tổ công nghệ số",
     "Một thành viên rời tổ: giữ lại lịch sử (ngày rời, người ghi); không còn là thành viên hiện tại: 409", "FieldTeam"},
    {"GET", "/api/v1/field/teams/{id}/worklist", h_field_worklist, AUTH_LOGIN, CAP_PEOPLE_READ, SCOPE_FIELD_TEAM, "id",
     FROM_PATH, NULL, field_worklist_query, false, RATE_NONE, 200, "getFieldWorklist", "Tổ công nghệ số",
     "Việc của tổ: hộ chưa được đến, hoặc người còn bị bỏ lại, trong tổ dân phố của tổ", "FieldWorklist"},
    {"GET", "/api/v1/field/teams/{id}/report", h_field_team_report, AUTH_LOGIN, CAP_PEOPLE_READ, SCOPE_FIELD_TEAM, "id",
     FROM_PATH, NULL, field_report_query, false, RATE_NONE, 200, "getFieldTeamReport", "Tổ công nghệ số",
     "Báo cáo hoạt động của tổ trong một tuần, tháng hoặc quý: lượt đến hộ, người được hướng dẫn theo nội dung, kết quả",
     "FieldTeamReport"},
    {"GET", "/api/v1/field/teams/{id}/report.xlsx", h_field_team_report_xlsx, AUTH_LOGIN, CAP_PEOPLE_READ,
     SCOPE_FIELD_TEAM, "id", FROM_PATH, NULL, field_report_query, false, RATE_NONE, 200, "getFieldTeamReportXlsx",
     "Tổ công nghệ số", "Báo cáo hoạt động của tổ dạng Excel (.xlsx), để tổ trưởng gửi lên; được ghi nhật ký", NULL},
    {"GET", "/api/v1/field/coverage", h_field_coverage, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     field_coverage_query, false, RATE_NONE, 200, "getFieldCoverage", "Tổ công nghệ số",
     "Độ phủ theo tổ dân phố: số hộ, số hộ đã được đến", "FieldCoverage"},
    {"GET", "/api/v1/field/households", h_field_households_find, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     field_households_query, false, RATE_NONE, 200, "findFieldHouseholds", "Tổ công nghệ số",
     "Tìm hộ trong một tổ dân phố theo địa chỉ, mã hộ hoặc tên một người trong hộ (không dấu)", "FieldHouseholdList"},
    {"POST", "/api/v1/households/{id}/visits", h_household_visits_add, ON_HOUSEHOLD(CAP_FIELD_WRITE), visit_body, NULL,
     true, RATE_WRITE, 201, "recordVisit", "Tổ công nghệ số",
     "Ghi một lượt đến hộ: ngày, nội dung hướng dẫn, người có mặt và kết quả của từng người (hai người ghi cùng hộ cùng "
     "ngày: giữ cả hai)",
     "FieldVisit", .combine = true},
    {"GET", "/api/v1/residents/{id}/movement", h_person_movement, ON_PERSON(CAP_PEOPLE_READ), NULL, NULL, false,
     RATE_NONE, 200, "getPersonMovement", "Tổ công nghệ số",
     "Phần của một người trong phong trào: các lượt đến hộ có mặt (chủ đề, kết quả), người hướng dẫn và vai trò đại sứ "
     "số, các bước 4T, lớp bồi dưỡng, sự kiện (được ghi nhật ký như xem hồ sơ)",
     "PersonMovement"},
    {"GET", "/api/v1/households/{id}/visits", h_household_visits, ON_HOUSEHOLD(CAP_PEOPLE_READ), NULL, NULL, false,
     RATE_NONE, 200, "listHouseholdVisits", "Tổ công nghệ số",
     "Các lượt đến hộ, mới nhất trước (được ghi nhật ký như xem hộ)", "FieldVisitList"},
    /* yêu cầu hỗ trợ: help requests to the community digital teams (helpreq.h) */
    {"GET", "/api/v1/help-requests/units", h_helpreq_public_units, PUB, NULL, NULL, false, RATE_NONE, 200,
     "listHelpRequestUnits", "Tổ công nghệ số", "Các tổ dân phố để chọn trên biểu mẫu yêu cầu hỗ trợ công khai",
     "HelpRequestUnits"},
    {"GET", "/api/v1/help-requests/topics", h_helpreq_public_topics, PUB, NULL, NULL, false, RATE_NONE, 200,
     "listHelpRequestTopics", "Tổ công nghệ số",
     "Các nội dung hỗ trợ để người dân chọn trên biểu mẫu yêu cầu hỗ trợ công khai (trường topic)", "HelpRequestTopics"},
    {"POST", "/api/v1/help-requests/public", h_helpreq_public, PUB, helpreq_public_body, NULL, false, RATE_FORM, 201,
     "createPublicHelpRequest", "Tổ công nghệ số",
     "Người dân hoặc người thân gửi yêu cầu hỗ trợ, không cần tài khoản (giới hạn theo địa chỉ mạng): chỉ trả về số yêu cầu",
     "HelpRequestReceipt"},
    {"POST", "/api/v1/help-requests", h_helpreq_create, ON_UNIT(CAP_FIELD_WRITE, "unit_id", FROM_BODY), helpreq_body,
     NULL, true, RATE_WRITE, 201, "createHelpRequest", "Tổ công nghệ số",
     "Cán bộ ghi một yêu cầu hỗ trợ nhận qua điện thoại hoặc tại quầy; yêu cầu được chuyển đến tổ của tổ dân phố",
     "HelpRequest"},
    {"GET", "/api/v1/help-requests", h_helpreq_list, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     helpreq_query, false, RATE_NONE, 200, "listHelpRequests", "Tổ công nghệ số",
     "Yêu cầu hỗ trợ của các tổ dân phố trong phạm vi, quá hạn trước", "HelpRequestPage"},
    {"GET", "/api/v1/help-requests/summary", h_helpreq_summary, ON_UNIT(CAP_PEOPLE_READ, "unit_id", FROM_QUERY), NULL,
     helpreq_summary_query, false, RATE_NONE, 200, "getHelpRequestSummary", "Tổ công nghệ số",
     "Số yêu cầu hỗ trợ chưa xong và quá hạn theo tổ dân phố", "HelpRequestSummary"},
    {"GET", "/api/v1/help-requests/{id}", h_helpreq_get, AUTH_LOGIN, CAP_PEOPLE_READ, SCOPE_HELP_REQUEST, "id",
     FROM_PATH, NULL, NULL, false, RATE_NONE, 200, "getHelpRequest", "Tổ công nghệ số",
     "Một yêu cầu hỗ trợ (được ghi nhật ký)", "HelpRequest"},
    {"POST", "/api/v1/help-requests/{id}/take", h_helpreq_take, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_HELP_REQUEST, "id",
     FROM_PATH, NULL, NULL, true, RATE_WRITE, 200, "takeHelpRequest", "Tổ công nghệ số",
     "Thành viên tổ nhận một yêu cầu (đã có người khác nhận hoặc đã xong: 409)", "HelpRequest"},
    {"POST", "/api/v1/help-requests/{id}/done", h_helpreq_done, AUTH_LOGIN, CAP_FIELD_WRITE, SCOPE_HELP_REQUEST, "id",
     FROM_PATH, helpreq_done_body, NULL, true, RATE_WRITE, 200, "completeHelpRequest", "Tổ công nghệ số",
     "Đóng yêu cầu bằng lượt đến hộ đã ghi kết quả", "HelpRequest"},
    /* audit */
    {"GET", "/api/v1/audit", h_audit_list, LOGIN(CAP_AUDIT_READ), NULL, audit_params, false, RATE_NONE, 200,
     "listAudit", "Nhật ký", "Nhật ký truy cập và thay đổi, mới nhất trước", "AuditPage"},
    /* test-only (routes_enabled): an upload route, until the registry import brings a real one */
    {"GET", "/api/v1/test/broken-error", h_test_broken_error, PUB, NULL, NULL, false, RATE_NONE, 200,
     "testBrokenError", "Hệ thống", "Chỉ để kiểm thử: một lỗi có thông điệp không phải UTF-8", NULL},
    {"POST", "/api/v1/test/upload", h_test_upload, PUB, NULL, NULL, false, RATE_NONE, 200, "testUpload", "Hệ thống",
     "Chỉ để kiểm thử: nhận một tệp, trả lại số byte và SHA-256", "TestUpload", .body_limit = 4 * 1024 * 1024},
};
const int routes_count = (int)(sizeof routes / sizeof routes[0]);

/* Routes under /api/v1/test/ exist only when HOCVUSO_TEST_ROUTES=1 at start-up: they let the API
 * tests reach mechanisms that no product route uses yet (the upload sink). */
bool routes_enabled(int i) {
  static int test_routes = -1; /* read once, at start-up (openapi_build runs before any thread) */
  if (test_routes < 0) {
    const char *v = getenv("HOCVUSO_TEST_ROUTES");
    test_routes = v && strcmp(v, "1") == 0;
  }
  return test_routes || strncmp(routes[i].path, "/api/v1/test/", 13) != 0;
}
