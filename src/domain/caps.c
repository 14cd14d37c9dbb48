/* caps.c: the capability table and the one function that expands roles into capabilities. */
#include "domain/caps.h"

#include <string.h>

const cap_info caps_table[CAP_COUNT] = {
    {CAP_UNITS_READ, "units.read", "Xem cây đơn vị"},
    {CAP_UNITS_WRITE, "units.write", "Thêm, sửa đơn vị"},
    {CAP_USERS_READ, "users.read", "Xem tài khoản người dùng"},
    {CAP_USERS_WRITE, "users.write", "Tạo, khóa tài khoản và phân quyền"},
    {CAP_AUDIT_READ, "audit.read", "Xem nhật ký truy cập"},
    {CAP_PEOPLE_READ, "people.read", "Xem hồ sơ người dân"},
    {CAP_PEOPLE_WRITE, "people.write", "Cập nhật hồ sơ người dân"},
    {CAP_FIELD_WRITE, "field.write", "Ghi nhận hỗ trợ tại hộ gia đình"},
    {CAP_IDENTITY_READ, "identity.read", "Xem mức định danh điện tử (VNeID)"},
    {CAP_IDENTITY_WRITE, "identity.write", "Cập nhật mức định danh điện tử (VNeID)"},
    {CAP_SCHOOL_READ, "school.read", "Xem chương trình kỹ năng số của trường"},
    {CAP_SCHOOL_WRITE, "school.write", "Cập nhật chương trình kỹ năng số của trường"},
    {CAP_REPORTS_READ, "reports.read", "Xem chỉ tiêu và báo cáo"},
    {CAP_LEARN, "learn", "Học và làm bài kiểm tra"},
    {CAP_PEOPLE_EXPORT, "people.export", "Xuất danh sách người dân ra tệp (CSV, Excel)"},
    {CAP_CONTENT_WRITE, "content.write", "Soạn bài học và ngân hàng câu hỏi"},
    {CAP_CERT_MANAGE, "certificates.manage", "Quản lý chứng nhận: điều kiện cấp, thu hồi"},
    {CAP_PLAN_WRITE, "plan.write", "Báo cáo tiến độ nhiệm vụ của kế hoạch thay cho đơn vị mình"},
    {CAP_INDICATORS_WRITE, "indicators.write", "Định nghĩa chỉ tiêu mới và chỉ tiêu theo năm"},
};

const role_info roles_table[] = {
    {"ward_admin", "Quản trị phường",
     CAP_UNITS_READ | CAP_UNITS_WRITE | CAP_USERS_READ | CAP_USERS_WRITE | CAP_AUDIT_READ | CAP_PEOPLE_READ |
         CAP_PEOPLE_WRITE | CAP_FIELD_WRITE | CAP_IDENTITY_READ | CAP_SCHOOL_READ | CAP_REPORTS_READ | CAP_LEARN |
         CAP_PEOPLE_EXPORT | CAP_CONTENT_WRITE | CAP_CERT_MANAGE | CAP_PLAN_WRITE | CAP_INDICATORS_WRITE},
    {"unit_officer", "Cán bộ đơn vị",
     CAP_UNITS_READ | CAP_USERS_READ | CAP_PEOPLE_READ | CAP_PEOPLE_WRITE | CAP_REPORTS_READ | CAP_LEARN |
         CAP_PEOPLE_EXPORT | CAP_PLAN_WRITE},
    {"field_helper", "Tổ công nghệ số cộng đồng",
     CAP_UNITS_READ | CAP_PEOPLE_READ | CAP_FIELD_WRITE | CAP_LEARN},
    {"police", "Công an phường",
     CAP_UNITS_READ | CAP_PEOPLE_READ | CAP_IDENTITY_READ | CAP_IDENTITY_WRITE | CAP_PLAN_WRITE},
    {"teacher", "Giáo viên, quản lý trường",
     CAP_UNITS_READ | CAP_PEOPLE_READ | CAP_SCHOOL_READ | CAP_SCHOOL_WRITE | CAP_LEARN | CAP_CONTENT_WRITE |
         CAP_PLAN_WRITE},
    {"learner", "Người học", CAP_LEARN},
};
const int roles_count = (int)(sizeof roles_table / sizeof roles_table[0]);

const role_info *role_find(const char *code) {
  if (!code) return NULL;
  for (int i = 0; i < roles_count; i++)
    if (strcmp(roles_table[i].code, code) == 0) return &roles_table[i];
  return NULL;
}

caps_t caps_of_role(const char *role) {
  const role_info *r = role_find(role);
  return r ? r->caps : 0;
}

const char *caps_code(caps_t flag) {
  for (int i = 0; i < CAP_COUNT; i++)
    if (caps_table[i].flag == flag) return caps_table[i].code;
  return NULL;
}
