// Words of the desk in Vietnamese (first) and English, dates and numbers in the reader's
// language, always in Vietnam's time zone, and the service's error descriptions in words a
// press officer reads.

const ZONE = 'Asia/Ho_Chi_Minh';
const LANG_KEY = 'pressrelay.lang';

const vi = {
  app: { title: 'Bàn tin phát ngôn', skip: 'Bỏ qua, đến nội dung chính', footer: 'Mọi thời gian theo giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+7).',
    switchTo: 'English', signOut: 'Đăng xuất', nav: 'Điều hướng chính', loading: 'Đang tải…', notFound: 'Không có trang này.',
    back: 'Quay lại', more: 'Xem thêm', none: 'Chưa có gì.', yes: 'Có', no: 'Không', cancel: 'Hủy', ok: 'Đồng ý', close: 'Đóng',
    save: 'Lưu', edit: 'Sửa', remove: 'Xóa', optional: 'không bắt buộc', required: 'bắt buộc', actions: 'Thao tác',
    restored: 'Nội dung bạn đang nhập trước khi phiên làm việc kết thúc đã được khôi phục.', saved: 'Đã lưu.',
    newer: 'Trang trước', older: 'Trang sau', refresh: 'Tải lại', filter: 'Lọc', clear: 'Xóa lọc', clearForm: 'Xóa trắng', copy: 'Chép', copied: 'Đã chép.' },
  role: { ROLE_SPOKESPERSON: 'Người phát ngôn', ROLE_PRESS_OFFICER: 'Chuyên viên báo chí', ROLE_OPERATOR: 'Quản trị viên',
    ROLE_NEWSROOM_CLIENT: 'Hệ thống tòa soạn', ROLE_JOURNALIST: 'Nhà báo', ROLE_SERVICE: 'Dịch vụ', ROLE_GATEWAY: 'Cổng quản trị' },
  nav: { desk: 'Bàn soạn tin', review: 'Chờ duyệt', statements: 'Tin đã phát', account: 'Tài khoản', agencies: 'Cơ quan',
    spokespeople: 'Người phát ngôn', officers: 'Chuyên viên báo chí', outlets: 'Cơ quan báo chí', journalists: 'Nhà báo',
    clients: 'Hệ thống tòa soạn', subscriptions: 'Đăng ký nhận tin', tokens: 'Mã truy cập', accounts: 'Tài khoản đăng nhập',
    audit: 'Nhật ký', import: 'Nhập hàng loạt' },
  signin: { title: 'Đăng nhập', lead: 'Bàn tin của người phát ngôn và văn phòng báo chí các cơ quan nhà nước.',
    username: 'Tên đăng nhập', password: 'Mật khẩu', totp: 'Mã xác thực 6 chữ số',
    totpHint: 'Mã trong ứng dụng xác thực của bạn. Bắt buộc với quản trị viên; bỏ trống nếu tài khoản chưa bật xác thực hai lớp.',
    submit: 'Đăng nhập', ended: 'Phiên làm việc đã kết thúc. Nội dung bạn đang nhập được giữ lại; hãy đăng nhập lại để tiếp tục.',
    wrong: 'Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.', locked: 'Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Thử lại sau {time}.',
    lockedNoTime: 'Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Hãy thử lại sau.' },
  totp: { title: 'Bật xác thực hai lớp', lead: 'Quản trị viên phải dùng mã xác thực từ ứng dụng (TOTP) trước khi làm việc.',
    start: 'Tạo khóa bí mật', secret: 'Khóa bí mật (nhập vào ứng dụng xác thực)', uri: 'Địa chỉ otpauth',
    once: 'Khóa chỉ hiển thị một lần. Nhập vào ứng dụng xác thực rồi gõ mã 6 chữ số ứng dụng hiện ra.',
    code: 'Mã 6 chữ số', confirm: 'Xác nhận', done: 'Đã bật xác thực hai lớp.', enabled: 'Xác thực hai lớp đang bật.',
    disabled: 'Xác thực hai lớp chưa bật.' },
  account: { title: 'Tài khoản của tôi', who: 'Thông tin', username: 'Tên đăng nhập', name: 'Tên hiển thị', kind: 'Vai trò',
    agency: 'Cơ quan', lastSignIn: 'Lần đăng nhập gần nhất', password: 'Đổi mật khẩu', current: 'Mật khẩu hiện tại',
    newPassword: 'Mật khẩu mới (ít nhất 12 ký tự)', repeat: 'Nhập lại mật khẩu mới', change: 'Đổi mật khẩu',
    changed: 'Đã đổi mật khẩu.', mismatch: 'Hai mật khẩu mới không giống nhau.', tooShort: 'Mật khẩu mới phải có ít nhất 12 ký tự.' },
  desk: { title: 'Bàn soạn tin', drafts: 'Bản nháp', lead: 'Bản nháp của {agency}: soạn, xem trước và gửi người phát ngôn duyệt.', newDraft: 'Soạn tin mới',
    filterState: 'Trạng thái', all: 'Tất cả', headline: 'Tiêu đề', state: 'Trạng thái', writer: 'Người soạn', updated: 'Cập nhật lúc',
    empty: 'Chưa có bản nháp nào.', untitled: '(chưa có tiêu đề)', returned: 'Bị trả lại' },
  obligations: { title: 'Nghĩa vụ cung cấp thông tin cho báo chí',
    informationOverdue: 'Tháng trước cơ quan chưa cung cấp thông tin nào cho báo chí (định kỳ hằng tháng).',
    conferenceOverdue: 'Đã quá hạn họp báo định kỳ (ít nhất ba tháng một lần).',
    followUpOverdue: 'Quá hạn thông tin tiếp theo (hạn {time}) cho tin khẩn:' },
  review: { title: 'Chờ duyệt', lead: 'Bản nháp văn phòng báo chí gửi lên. Duyệt để phát hành, hoặc trả lại kèm ý kiến.',
    empty: 'Không có bản nháp nào chờ duyệt.', submitted: 'Gửi lúc', open: 'Xem và duyệt' },
  editor: { titleNew: 'Soạn tin mới', title: 'Bản nháp', content: 'Nội dung', kind: 'Loại tin', headline: 'Tiêu đề',
    summary: 'Tóm tắt', body: 'Nội dung chính', bodyHint: 'Văn bản thuần. Cách các đoạn bằng một dòng trống.',
    counter: '{n}/{max} ký tự', topics: 'Chủ đề', topicCode: 'Mã chủ đề', topicName: 'Tên chủ đề', addTopic: 'Thêm chủ đề',
    removeTopic: 'Bỏ chủ đề {n}', topicHint: 'Mã viết thường không dấu (ví dụ health, economy); tòa soạn lọc tin theo mã này.',
    region: 'Địa phương', national: 'Toàn quốc (không gắn địa phương)', place: 'Tên địa danh trong tin', urgency: 'Mức khẩn',
    language: 'Ngôn ngữ', inReplyTo: 'Trả lời câu hỏi', inReplyToHint: 'Câu hỏi hoặc số tham chiếu của cơ quan báo chí đã hỏi.',
    release: 'Thời điểm phát hành', embargo: 'Hẹn giờ phát hành (cấm đăng trước giờ này)', embargoAt: 'Giờ phát hành (giờ Việt Nam)',
    embargoShown: 'Tin được giữ đến {time}.', early: 'Gửi trước cho cơ quan báo chí tin cậy, kèm dấu cấm đăng',
    attachments: 'Tệp đính kèm', addAttachment: 'Thêm tệp đính kèm', attachment: 'Tệp {n}', attTitle: 'Tiêu đề tệp',
    attHref: 'Địa chỉ tải tệp (https)', attType: 'Kiểu tệp (media type)', attSize: 'Dung lượng (byte)', attSha: 'SHA-256',
    attFile: 'Tính dung lượng và SHA-256 từ tệp trên máy', attFileHint: 'Tệp không được tải lên; trình duyệt chỉ tính dấu vân tay của tệp.',
    attComputing: 'Đang tính SHA-256…', attComputed: 'Đã tính từ tệp {name}.', attMismatch: 'SHA-256 đã nhập khác với tệp đã chọn.',
    attRemove: 'Bỏ tệp {n}', badHref: 'Phải là địa chỉ bắt đầu bằng https://', badSha: 'Phải là 64 chữ số thập lục phân (0-9, a-f).',
    badSize: 'Phải là số nguyên không âm.', save: 'Lưu bản nháp', preview: 'Xem trước', submit: 'Gửi duyệt',
    approve: 'Duyệt và phát hành ngay', approveAt: 'Duyệt, phát hành lúc {time}', returnIt: 'Trả lại', comment: 'Ý kiến cho người soạn',
    saved: 'Đã lưu bản nháp.', submitted: 'Đã gửi người phát ngôn duyệt.', returned: 'Đã trả lại bản nháp.',
    published: 'Đã phát hành: {n} nơi nhận.', scheduled: 'Đã hẹn giờ phát hành lúc {time}; {n} nơi nhận.',
    previewTitle: 'Xem trước: tòa soạn sẽ nhận đúng như sau', previewEmpty: 'Bấm “Xem trước” để xem tin như tòa soạn sẽ nhận.',
    previewStale: 'Nội dung đã thay đổi sau lần xem trước.', json: 'Dữ liệu JSON tòa soạn nhận',
    reviewTitle: 'Duyệt bản nháp', reviewLead: 'Kiểm tra nội dung và bản xem trước, rồi phát hành hoặc trả lại.',
    returnedBy: 'Người phát ngôn trả lại với ý kiến:', readOnly: 'Bản nháp đang chờ duyệt nên không sửa được.',
    publishedAs: 'Bản nháp đã được phát hành.', openStatement: 'Mở tin đã phát', state: 'Trạng thái', revision: 'Lần sửa {n}',
    writtenBy: 'Người soạn', confirmApprove: 'Phát hành tin này?', confirmApproveBody: 'Tin sẽ được ký số và gửi đến các tòa soạn đăng ký nhận. Sau khi phát hành chỉ có thể cập nhật, đính chính, tạm dừng hoặc hủy bằng phiên bản mới.',
    confirmApproveAt: 'Tin sẽ được ký số và giữ đến {time} rồi mới gửi đến các tòa soạn.', needComment: 'Hãy ghi ý kiến để người soạn biết cần sửa gì.',
    conflict: 'Bản nháp vừa được người khác thay đổi. Nội dung bạn nhập vẫn còn trên trang; hãy tải lại bản mới nhất rồi nhập lại phần của bạn.',
    unsavedLeave: 'Có nội dung chưa lưu.', autosaved: 'Đã giữ nội dung trên máy này.' },
  statements: { title: 'Tin đã phát', lead: 'Các tin của {agency}, phiên bản mới nhất trước.', leadAll: 'Tin của mọi cơ quan, mới nhất trước.',
    agency: 'Cơ quan', allAgencies: 'Tất cả cơ quan', headline: 'Tiêu đề', kind: 'Loại', version: 'Phiên bản', status: 'Tình trạng',
    issued: 'Phát lúc', empty: 'Chưa có tin nào.', embargoed: 'Cấm đăng đến {time}' },
  statement: { title: 'Tin', version: 'Phiên bản {n}', versions: 'Các phiên bản', issuedAt: 'Phát lúc', signal: 'Loại phiên bản',
    writtenBy: 'Người soạn', reviewedBy: 'Người duyệt', publishedBy: 'Người phát hành', view: 'Xem phiên bản {n}', viewing: 'đang xem',
    report: 'Báo cáo gửi tin', reportOf: 'Báo cáo phiên bản {n}', revise: 'Phát hành phiên bản mới', signalField: 'Việc cần làm', choose: '— Chọn việc cần làm —', chooseFirst: 'Hãy chọn cập nhật, đính chính, tạm dừng hoặc hủy.',
    reason: 'Lý do (tòa soạn sẽ đọc được)', reasonHint: 'Bắt buộc khi đính chính, tạm dừng hoặc hủy.', newContent: 'Nội dung mới',
    submitRevise: 'Phát hành phiên bản mới', confirm: {
      VERSION_SIGNAL_UPDATE: 'Phát hành bản cập nhật?', VERSION_SIGNAL_CORRECTION: 'Phát hành bản đính chính?',
      VERSION_SIGNAL_WITHHOLD: 'Tạm dừng sử dụng tin này?', VERSION_SIGNAL_KILL: 'Hủy tin này?' },
    confirmBody: { VERSION_SIGNAL_UPDATE: 'Các tòa soạn nhận phiên bản mới với nội dung đã sửa.',
      VERSION_SIGNAL_CORRECTION: 'Mọi tòa soạn đã nhận tin sẽ được báo là phiên bản trước có sai sót.',
      VERSION_SIGNAL_WITHHOLD: 'Mọi tòa soạn đã nhận tin sẽ được yêu cầu tạm ngừng sử dụng.',
      VERSION_SIGNAL_KILL: 'Mọi tòa soạn đã nhận tin sẽ được yêu cầu gỡ bỏ tin ở mọi nơi đã đăng. Không thể hoàn tác.' },
    revised: 'Đã phát hành phiên bản {v}: {n} nơi nhận.', killed: 'Tin đã bị hủy; không phát thêm phiên bản được nữa.',
    expected: 'Tin vừa có phiên bản mới hơn. Trang đã tải lại phiên bản mới nhất; nội dung bạn nhập vẫn còn.',
    from: 'Nguồn', spokesperson: 'Người phát ngôn', signature: 'Chữ ký số', signedWith: 'Ký bằng khóa {key} ({alg})' },
  report: { title: 'Báo cáo gửi tin', lead: 'Ai đã nhận, ai đã xác nhận phiên bản {v}. Trang tự cập nhật khi có thay đổi.',
    matched: 'Nơi nhận', queued: 'Đã xếp hàng', sent: 'Đã gửi', acknowledged: 'Đã xác nhận', pending: 'Chưa xếp hàng',
    live: 'Đang cập nhật trực tiếp', connecting: 'Đang kết nối…', reconnecting: 'Mất kết nối, đang thử lại…', stopped: 'Đã dừng cập nhật',
    lastUpdate: 'Cập nhật lúc {time}', chart: 'Biểu đồ theo cơ quan báo chí', chartDesc: 'Số nơi nhận của mỗi cơ quan báo chí: đã xác nhận, đã gửi, đã xếp hàng.',
    outlet: 'Cơ quan báo chí', recipient: 'Nơi nhận', recipientId: 'Mã nơi nhận', queuedAt: 'Xếp hàng lúc', sentAt: 'Gửi lúc',
    ackAt: 'Xác nhận lúc', notYet: 'Chưa xác nhận', unconfirmed: 'Chưa xác nhận ({n})', allConfirmed: 'Tất cả nơi nhận đã xác nhận.', everyone: 'Tất cả nơi nhận ({n})',
    truncated: 'Chỉ hiển thị {shown} trên {total} dòng.', version: 'Phiên bản', overall: 'Tổng quan', others: 'Các cơ quan khác' },
  kind: { STATEMENT_KIND_PRESS_RELEASE: 'Thông cáo báo chí', STATEMENT_KIND_ANSWER: 'Trả lời câu hỏi của nhà báo',
    STATEMENT_KIND_PRESS_CONFERENCE_NOTICE: 'Thông báo họp báo', STATEMENT_KIND_CORRECTION_REQUEST: 'Đề nghị cải chính, phản hồi' },
  pubstatus: { PUB_STATUS_USABLE: 'Được sử dụng', PUB_STATUS_WITHHELD: 'Tạm dừng sử dụng', PUB_STATUS_CANCELED: 'Đã hủy' },
  signal: { VERSION_SIGNAL_PUBLISH: 'Phát hành', VERSION_SIGNAL_UPDATE: 'Cập nhật', VERSION_SIGNAL_CORRECTION: 'Đính chính',
    VERSION_SIGNAL_WITHHOLD: 'Tạm dừng sử dụng', VERSION_SIGNAL_KILL: 'Hủy bỏ' },
  draftState: { DRAFT_STATE_WRITING: 'Đang soạn', DRAFT_STATE_IN_REVIEW: 'Chờ duyệt', DRAFT_STATE_PUBLISHED: 'Đã phát hành' },
  urgency: { 1: 'Hỏa tốc', 2: 'Thượng khẩn', 3: 'Khẩn', 4: 'Quan trọng', 5: 'Thường', 6: 'Thường', 7: 'Không gấp', 8: 'Không gấp', 9: 'Không gấp' },
  language: { vi: 'Tiếng Việt', en: 'Tiếng Anh' },
  agencyKind: { AGENCY_KIND_MINISTRY: 'Bộ', AGENCY_KIND_MINISTRY_LEVEL: 'Cơ quan ngang bộ', AGENCY_KIND_GOVERNMENT_AGENCY: 'Cơ quan thuộc Chính phủ',
    AGENCY_KIND_PROVINCIAL_COMMITTEE: 'UBND tỉnh, thành phố', AGENCY_KIND_OTHER: 'Khác' },
  spokesRole: { SPOKESPERSON_ROLE_HEAD: 'Người đứng đầu', SPOKESPERSON_ROLE_SPOKESPERSON: 'Người phát ngôn',
    SPOKESPERSON_ROLE_AUTHORISED: 'Người được ủy quyền phát ngôn' },
  outletKind: { OUTLET_KIND_NEWSPAPER: 'Báo in', OUTLET_KIND_MAGAZINE: 'Tạp chí', OUTLET_KIND_ONLINE: 'Báo điện tử',
    OUTLET_KIND_RADIO: 'Báo nói', OUTLET_KIND_TELEVISION: 'Báo hình', OUTLET_KIND_NEWS_AGENCY: 'Hãng thông tấn' },
  subjectKind: { SUBJECT_KIND_OPERATOR: 'Quản trị viên', SUBJECT_KIND_SPOKESPERSON: 'Người phát ngôn', SUBJECT_KIND_NEWSROOM_CLIENT: 'Hệ thống tòa soạn',
    SUBJECT_KIND_JOURNALIST: 'Nhà báo', SUBJECT_KIND_SERVICE: 'Dịch vụ', SUBJECT_KIND_GATEWAY: 'Cổng quản trị', SUBJECT_KIND_PRESS_OFFICER: 'Chuyên viên báo chí' },
  topic: { health: 'Y tế', economy: 'Kinh tế', education: 'Giáo dục', disaster: 'Thiên tai', environment: 'Môi trường', transport: 'Giao thông',
    'foreign-affairs': 'Đối ngoại', security: 'An ninh, trật tự', culture: 'Văn hóa', agriculture: 'Nông nghiệp', finance: 'Tài chính',
    science: 'Khoa học, công nghệ', labour: 'Lao động, việc làm', law: 'Pháp luật' },
  reg: {
    agencies: { title: 'Cơ quan', lead: 'Các cơ quan có người phát ngôn theo Nghị định 09/2017/NĐ-CP.', code: 'Mã cơ quan', nameVi: 'Tên tiếng Việt',
      nameEn: 'Tên tiếng Anh', kind: 'Loại cơ quan', parentCode: 'Mã cơ quan cấp trên', regionCode: 'Tỉnh, thành phố', website: 'Cổng thông tin (https)',
      form: 'Thêm hoặc sửa cơ quan', saved: 'Đã lưu cơ quan {id}.' },
    spokespeople: { title: 'Người phát ngôn', lead: 'Người được phát ngôn cho cơ quan và thời hạn được phát ngôn.', id: 'Mã người phát ngôn',
      agencyCode: 'Cơ quan', fullName: 'Họ và tên', titleField: 'Chức vụ', role: 'Tư cách phát ngôn', matter: 'Vấn đề được ủy quyền',
      authorisedBy: 'Số hiệu văn bản giao, ủy quyền phát ngôn (vd. 15/QĐ-BYT; người đứng đầu: bỏ trống)',
      matterTopics: 'Mã chủ đề của vấn đề được ủy quyền (cách nhau bởi dấu phẩy, vd. disaster, weather)',
      validFrom: 'Được phát ngôn từ', validUntil: 'Đến (bỏ trống: đến khi có quyết định khác)', email: 'Thư điện tử', phone: 'Điện thoại',
      validity: 'Hiệu lực', active: 'Đang hiệu lực', expired: 'Hết hiệu lực', future: 'Chưa đến hạn', form: 'Thêm hoặc sửa người phát ngôn',
      saved: 'Đã lưu người phát ngôn {id}.', filterAgency: 'Lọc theo cơ quan' },
    officers: { title: 'Chuyên viên báo chí', lead: 'Người của văn phòng báo chí: soạn tin cho người phát ngôn duyệt.', id: 'Mã chuyên viên',
      agencyCode: 'Cơ quan', fullName: 'Họ và tên', titleField: 'Chức vụ', email: 'Thư điện tử', phone: 'Điện thoại', disabled: 'Đã thôi (không được làm việc)',
      form: 'Thêm hoặc sửa chuyên viên', saved: 'Đã lưu chuyên viên {id}.', filterAgency: 'Lọc theo cơ quan', status: 'Tình trạng',
      on: 'Đang làm việc', off: 'Đã thôi' },
    outlets: { title: 'Cơ quan báo chí', lead: 'Các cơ quan báo chí được cấp phép nhận tin.', id: 'Mã cơ quan báo chí', licence: 'Số giấy phép',
      name: 'Tên', kind: 'Loại hình', trusted: 'Tin cậy (được nhận trước tin có hẹn giờ)', trustedShort: 'Tin cậy',
      form: 'Thêm hoặc sửa cơ quan báo chí', saved: 'Đã lưu cơ quan báo chí {id}.' },
    journalists: { title: 'Nhà báo', lead: 'Nhà báo có thẻ nhà báo, nhận tin theo đăng ký của mình.', card: 'Số thẻ nhà báo', fullName: 'Họ và tên',
      outlet: 'Cơ quan báo chí', expires: 'Thẻ có giá trị đến', email: 'Thư điện tử', phone: 'Điện thoại', form: 'Thêm hoặc sửa nhà báo',
      saved: 'Đã lưu nhà báo {id}.', filterOutlet: 'Lọc theo cơ quan báo chí', allOutlets: 'Tất cả', expired: 'Thẻ hết hạn' },
    clients: { title: 'Hệ thống tòa soạn', lead: 'Hệ thống nhận tin của các tòa soạn (máy với máy).', id: 'Mã hệ thống', outlet: 'Cơ quan báo chí',
      description: 'Mô tả', disabled: 'Ngừng nhận tin', form: 'Thêm hoặc sửa hệ thống tòa soạn', saved: 'Đã lưu hệ thống {id}.',
      filterOutlet: 'Lọc theo cơ quan báo chí', status: 'Tình trạng', on: 'Đang nhận', off: 'Đã ngừng' },
    subscriptions: { title: 'Đăng ký nhận tin', lead: 'Mỗi nơi nhận chỉ nhận tin khớp đăng ký của mình; bỏ trống một mục là nhận tất cả.',
      recipient: 'Nơi nhận', recipientHint: 'client:<mã hệ thống> hoặc journalist:<số thẻ>', load: 'Mở đăng ký', agencies: 'Chỉ tin của các cơ quan (mã, cách nhau bởi dấu phẩy)',
      topics: 'Chỉ tin có chủ đề (mã, cách nhau bởi dấu phẩy)', regions: 'Chỉ tin của các địa phương', languages: 'Ngôn ngữ', maxUrgency: 'Mức khẩn tối thiểu',
      anyUrgency: 'Mọi mức (0)', kinds: 'Loại tin', form: 'Đăng ký', saved: 'Đã lưu đăng ký của {id}.', notFound: 'Nơi nhận này chưa có đăng ký; lưu để tạo mới.',
      loaded: 'Đã mở đăng ký của {id}.' },
    tokens: { title: 'Mã truy cập', lead: 'Mã truy cập (token) cho hệ thống tòa soạn, nhà báo và dịch vụ. Mã chỉ hiện một lần khi cấp.',
      subjectKind: 'Cấp cho', subjectId: 'Mã đối tượng', ttl: 'Thời hạn (ngày)', description: 'Dùng để làm gì', issue: 'Cấp mã',
      issued: 'Mã truy cập mới', once: 'Hãy chép mã này ngay: mã chỉ hiện một lần, hệ thống không lưu lại.', tokenField: 'Mã truy cập',
      id: 'Mã số', issuedAt: 'Cấp lúc', expiresAt: 'Hết hạn lúc', state: 'Tình trạng', revoke: 'Thu hồi', revoked: 'Đã thu hồi',
      activeState: 'Còn hiệu lực', expiredState: 'Hết hạn', confirmRevoke: 'Thu hồi mã {id}?', confirmRevokeBody: 'Nơi đang dùng mã này sẽ bị ngắt ngay.',
      revokedOk: 'Đã thu hồi mã {id}.', filterSubject: 'Lọc theo mã đối tượng', session: 'Phiên đăng nhập', form: 'Cấp mã truy cập mới' },
    accounts: { title: 'Tài khoản đăng nhập', lead: 'Tài khoản đăng nhập bàn tin của quản trị viên, người phát ngôn và chuyên viên báo chí.',
      username: 'Tên đăng nhập', subjectKind: 'Vai trò', subjectId: 'Mã người (người phát ngôn, chuyên viên hoặc tên quản trị viên)',
      displayName: 'Tên hiển thị', password: 'Mật khẩu (ít nhất 12 ký tự; bỏ trống để giữ mật khẩu cũ)', disabled: 'Khóa tài khoản',
      totp: 'Xác thực hai lớp', lastSignIn: 'Đăng nhập gần nhất', lockedUntil: 'Bị khóa đến', form: 'Tạo hoặc sửa tài khoản',
      saved: 'Đã lưu tài khoản {id}.', resetTotp: 'Đặt lại xác thực', confirmReset: 'Đặt lại xác thực hai lớp của {id}?',
      confirmResetBody: 'Người dùng phải bật lại xác thực hai lớp ở lần đăng nhập tới.', resetOk: 'Đã đặt lại xác thực của {id}.',
      disable: 'Khóa', enable: 'Mở khóa', disabledOk: 'Đã khóa tài khoản {id}.', enabledOk: 'Đã mở khóa tài khoản {id}.',
      status: 'Tình trạng', on: 'Đang dùng', off: 'Đã khóa', confirmDisable: 'Khóa tài khoản {id}?', confirmDisableBody: 'Các phiên đang mở của người này kết thúc ngay.' },
    audit: { title: 'Nhật ký', lead: 'Mọi thao tác làm thay đổi dữ liệu, ai làm và kết quả, mới nhất trước.', principal: 'Người thực hiện (mã)',
      method: 'Thao tác (Service.Method)', target: 'Đối tượng', since: 'Từ lúc (giờ Việt Nam)', limit: 'Số dòng mỗi trang', at: 'Lúc',
      who: 'Ai', role: 'Vai trò', outcome: 'Kết quả', peer: 'Địa chỉ', via: 'Qua cổng', search: 'Tìm', empty: 'Không có dòng nào khớp trong đoạn nhật ký đã đọc.',
      moreMaybe: 'Có thể còn dòng cũ hơn khớp bộ lọc: bấm “Trang sau”.' },
    import: { title: 'Nhập hàng loạt', lead: 'Nhập cơ quan báo chí và nhà báo từ tệp CSV (UTF-8, dòng đầu là tên cột). Tệp được đọc trên máy này; chỉ khi mọi dòng hợp lệ mới ghi vào hệ thống.',
      outletsFile: 'Tệp CSV cơ quan báo chí', journalistsFile: 'Tệp CSV nhà báo', columns: 'Các cột', example: 'Ví dụ',
      check: 'Kiểm tra và nhập', rows: '{n} dòng', report: 'Kết quả từng dòng', file: 'Tệp', line: 'Dòng', item: 'Mục', status: 'Kết quả',
      reasons: 'Lý do', ok: 'Hợp lệ', refused: 'Bị từ chối', done: 'Đã nhập {outlets} cơ quan báo chí và {journalists} nhà báo.',
      nothing: 'Hãy chọn ít nhất một tệp CSV.', refusedAll: 'Không có gì được ghi: {n} dòng bị từ chối. Sửa tệp rồi nhập lại.',
      missingColumn: 'Thiếu cột {col}.', badKind: 'Loại hình “{v}” không có; dùng: {list}.', badBool: '“{v}” không phải có/không.',
      badDate: 'Ngày “{v}” không đọc được; dùng YYYY-MM-DD hoặc RFC 3339.', emptyFile: 'Tệp không có dòng dữ liệu nào.', parseError: 'Tệp CSV lỗi: {msg}' } },
  err: {
    field: 'Thông tin chưa hợp lệ: xem các ô được đánh dấu.', network: 'Không kết nối được máy chủ. Nội dung bạn nhập vẫn còn; hãy thử lại.',
    3: 'Thông tin chưa hợp lệ.', 5: 'Không tìm thấy.', 6: 'Đã có mục này.', 7: 'Bạn không có quyền làm việc này.', 9: 'Chưa làm được việc này ở trạng thái hiện tại.',
    10: 'Dữ liệu vừa bị thay đổi cùng lúc; hãy thử lại.', 8: 'Quá nhiều yêu cầu. Thử lại sau {s} giây.', retryLater: 'Quá nhiều yêu cầu. Hãy thử lại sau ít phút.',
    14: 'Dịch vụ tạm thời không trả lời. Nội dung bạn nhập vẫn còn; hãy thử lại.', 4: 'Máy chủ trả lời quá chậm; hãy thử lại.',
    16: 'Phiên làm việc đã kết thúc; hãy đăng nhập lại.', 13: 'Máy chủ gặp lỗi.', 12: 'Máy chủ chưa hỗ trợ việc này.', other: 'Có lỗi xảy ra.',
    detail: 'Chi tiết từ máy chủ: {msg}', totpPending: 'Hãy bật xác thực hai lớp trước khi làm việc.' },
  // The service's field descriptions (English) in Vietnamese: [pattern, text with $1…].
  desc: [
    [/^is required: it has no visible text/, 'Bắt buộc: ô này chỉ có khoảng trắng hoặc ký tự không nhìn thấy.'],
    [/^is required for an answer/, 'Bắt buộc với tin trả lời: ghi câu hỏi được trả lời.'],
    [/^is required for a correction, withhold or kill/, 'Bắt buộc khi đính chính, tạm dừng hoặc hủy: tòa soạn cần biết lý do.'],
    [/^is required for a person authorised on one matter/, 'Bắt buộc với người được ủy quyền: ghi vấn đề được phát ngôn.'],
    [/^is required for an authorised person: the subject codes/, 'Bắt buộc với người được ủy quyền: ghi mã chủ đề của vấn đề.'],
    [/^is required for an authorised person: the period/, 'Bắt buộc với người được ủy quyền: việc ủy quyền có thời hạn.'],
    [/^is required: the number of the/, 'Bắt buộc: ghi số hiệu văn bản giao hoặc ủy quyền phát ngôn (vd. 15/QĐ-BYT).'],
    [/^is not a document number/, 'Không phải số hiệu văn bản (vd. 15/QĐ-BYT, 2345/QĐ-UBND).'],
    [/^is only for a person authorised on one matter/, 'Chỉ dành cho người được ủy quyền phát ngôn về một vấn đề.'],
    [/^is required for a new account/, 'Bắt buộc khi tạo tài khoản mới.'],
    [/^is required/, 'Bắt buộc phải nhập.'],
    [/^is not valid UTF-8/, 'Có ký tự không hợp lệ.'],
    [/^is longer than (\d+) characters/, 'Dài quá $1 ký tự.'],
    [/^is larger than (\d+) bytes/, 'Lớn quá $1 byte.'],
    [/^has more than (\d+) entries/, 'Nhiều quá $1 mục.'],
    [/^must be 1 \(flash\) to 9/, 'Phải từ 1 (hỏa tốc) đến 9.'],
    [/^must be "vi" or "en"/, 'Phải là tiếng Việt (vi) hoặc tiếng Anh (en).'],
    [/^must be an https URL/, 'Phải là địa chỉ https.'],
    [/^must be a media type/, 'Phải là kiểu tệp, ví dụ application/pdf.'],
    [/^must be between 0 and 2 GiB/, 'Phải từ 0 đến 2 GiB.'],
    [/^must be 64 lower-case hex digits/, 'Phải là 64 chữ số thập lục phân viết thường (0-9, a-f).'],
    [/^is not a valid (timestamp|time)/, 'Thời gian không hợp lệ.'],
    [/^is in the past/, 'Thời điểm này đã qua.'],
    [/^is more than a year ahead/, 'Xa quá một năm kể từ hôm nay.'],
    [/^is not the code of a province/, 'Không phải mã tỉnh, thành phố của Việt Nam (ví dụ VN-HN).'],
    [/^must be 2-32 characters A-Z, 0-9 or '-'/, 'Phải gồm 2–32 ký tự A-Z, 0-9 hoặc dấu gạch ngang.'],
    [/^must be 1-64 characters a-z, 0-9, ':'/, 'Phải gồm 1–64 ký tự a-z, 0-9, “:”, “.”, “_” hoặc “-”.'],
    [/^must be 1-64 characters a-z, 0-9/, 'Phải gồm 1–64 ký tự a-z, 0-9, “.”, “_” hoặc “-” (không dấu, viết thường).'],
    [/^must be 1-32 characters A-Z, a-z, 0-9 or '-'/, 'Phải gồm 1–32 ký tự chữ không dấu, số hoặc “-”.'],
    [/^must be 3-128 characters/, 'Phải gồm 3–128 ký tự a-z, 0-9, “.”, “_”, “-”, “@” hoặc “+”.'],
    [/^is not an email address/, 'Không phải địa chỉ thư điện tử.'],
    [/^cannot be the agency itself/, 'Không thể là chính cơ quan này.'],
    [/^must be after valid_from/, 'Phải sau thời điểm bắt đầu.'],
    [/^must be an operator, a spokesperson or a press officer/, 'Phải là quản trị viên, người phát ngôn hoặc chuyên viên báo chí.'],
    [/^no outlet "(.*)"/, 'Không có cơ quan báo chí “$1”.'],
    [/^no agency "(.*)"/, 'Không có cơ quan “$1”.'],
    [/^no (.*) "(.*)"/, 'Không có $1 “$2”.'],
    [/^is not an agency code/, 'Không phải mã cơ quan.'],
    [/^is not a topic code/, 'Không phải mã chủ đề.'],
    [/^is not a statement kind/, 'Không phải loại tin.'],
    [/^must be 0-9/, 'Phải từ 0 đến 9.'],
    [/^must be between 1 s and 366 days/, 'Phải từ 1 giây đến 366 ngày.'],
    [/^needs a release time in the future/, 'Cần giờ phát hành trong tương lai.'],
    [/^must stay (.*)/, 'Không được đổi (phải giữ $1).'],
    [/^must be UPDATE, CORRECTION, WITHHOLD or KILL/, 'Chọn cập nhật, đính chính, tạm dừng hoặc hủy.'],
    [/^is not the account's password/, 'Mật khẩu hiện tại không đúng.'],
    [/^is not the authenticator's current code/, 'Mã xác thực không đúng hoặc đã hết hạn.'],
    [/^must be at least (\d+) characters/, 'Phải có ít nhất $1 ký tự.'],
    [/^must not be negative/, 'Không được là số âm.'],
  ],
};

const en = {
  app: { title: 'Spokesperson desk', skip: 'Skip to main content', footer: 'All times are Vietnam time (Asia/Ho_Chi_Minh, UTC+7).',
    switchTo: 'Tiếng Việt', signOut: 'Sign out', nav: 'Main navigation', loading: 'Loading…', notFound: 'There is no such page.',
    back: 'Back', more: 'Show more', none: 'Nothing yet.', yes: 'Yes', no: 'No', cancel: 'Cancel', ok: 'OK', close: 'Close',
    save: 'Save', edit: 'Edit', remove: 'Remove', optional: 'optional', required: 'required', actions: 'Actions',
    restored: 'What you were typing when your session ended has been restored.', saved: 'Saved.',
    newer: 'Previous page', older: 'Next page', refresh: 'Reload', filter: 'Filter', clear: 'Clear filter', clearForm: 'Clear', copy: 'Copy', copied: 'Copied.' },
  role: { ROLE_SPOKESPERSON: 'Spokesperson', ROLE_PRESS_OFFICER: 'Press officer', ROLE_OPERATOR: 'Operator',
    ROLE_NEWSROOM_CLIENT: 'Newsroom client', ROLE_JOURNALIST: 'Journalist', ROLE_SERVICE: 'Service', ROLE_GATEWAY: 'Admin gateway' },
  nav: { desk: 'Desk', review: 'For review', statements: 'Statements', account: 'Account', agencies: 'Agencies',
    spokespeople: 'Spokespeople', officers: 'Press officers', outlets: 'Outlets', journalists: 'Journalists',
    clients: 'Newsroom clients', subscriptions: 'Subscriptions', tokens: 'Tokens', accounts: 'Sign-in accounts',
    audit: 'Audit trail', import: 'Bulk import' },
  signin: { title: 'Sign in', lead: 'The desk of government spokespeople and their press offices.',
    username: 'Username', password: 'Password', totp: '6-digit authentication code',
    totpHint: 'The code from your authenticator app. Required for operators; leave empty if your account has no second factor.',
    submit: 'Sign in', ended: 'Your session ended. What you were typing has been kept; sign in again to go on.',
    wrong: 'Wrong username, password or authentication code.', locked: 'The account is locked after too many failed sign-ins. Try again after {time}.',
    lockedNoTime: 'The account is locked after too many failed sign-ins. Try again later.' },
  totp: { title: 'Turn on two-factor authentication', lead: 'Operators must use codes from an authenticator app (TOTP) before they can work.',
    start: 'Create a secret', secret: 'Secret (enter it in your authenticator app)', uri: 'otpauth address',
    once: 'The secret is shown only once. Add it to your authenticator app, then type the 6-digit code the app shows.',
    code: '6-digit code', confirm: 'Confirm', done: 'Two-factor authentication is on.', enabled: 'Two-factor authentication is on.',
    disabled: 'Two-factor authentication is off.' },
  account: { title: 'My account', who: 'Details', username: 'Username', name: 'Display name', kind: 'Role',
    agency: 'Agency', lastSignIn: 'Last sign-in', password: 'Change password', current: 'Current password',
    newPassword: 'New password (at least 12 characters)', repeat: 'New password again', change: 'Change password',
    changed: 'Password changed.', mismatch: 'The two new passwords differ.', tooShort: 'The new password must have at least 12 characters.' },
  desk: { title: 'Desk', drafts: 'Drafts', lead: 'Drafts of {agency}: write, preview and send them to the spokesperson for review.', newDraft: 'New draft',
    filterState: 'State', all: 'All', headline: 'Headline', state: 'State', writer: 'Written by', updated: 'Updated',
    empty: 'No drafts yet.', untitled: '(no headline yet)', returned: 'Sent back' },
  obligations: { title: 'Obligations to the press',
    informationOverdue: 'Last month the agency gave the press no information (due every month).',
    conferenceOverdue: 'The regular press conference is overdue (at least once every three months).',
    followUpOverdue: 'Follow-up overdue (due {time}) for the urgent statement:' },
  review: { title: 'For review', lead: 'Drafts the press office sent for review. Approve to publish, or send back with a comment.',
    empty: 'No drafts waiting for review.', submitted: 'Sent', open: 'Open and review' },
  editor: { titleNew: 'New draft', title: 'Draft', content: 'Content', kind: 'Kind', headline: 'Headline',
    summary: 'Summary', body: 'Body', bodyHint: 'Plain text. Separate paragraphs with an empty line.',
    counter: '{n}/{max} characters', topics: 'Topics', topicCode: 'Topic code', topicName: 'Topic name', addTopic: 'Add a topic',
    removeTopic: 'Remove topic {n}', topicHint: 'Lower-case code without diacritics (e.g. health, economy); newsrooms filter on it.',
    region: 'Region', national: 'National (no region)', place: 'Place name as written', urgency: 'Urgency',
    language: 'Language', inReplyTo: 'In reply to', inReplyToHint: 'The question, or the reference the outlet gave.',
    release: 'Release', embargo: 'Release at a set time (embargo until then)', embargoAt: 'Release time (Vietnam time)',
    embargoShown: 'Held until {time}.', early: 'Send to trusted outlets at once, marked embargoed',
    attachments: 'Attachments', addAttachment: 'Add an attachment', attachment: 'File {n}', attTitle: 'File title',
    attHref: 'Download address (https)', attType: 'Media type', attSize: 'Size (bytes)', attSha: 'SHA-256',
    attFile: 'Compute size and SHA-256 from a file on this computer', attFileHint: 'The file is not uploaded; the browser only computes its fingerprint.',
    attComputing: 'Computing SHA-256…', attComputed: 'Computed from {name}.', attMismatch: 'The SHA-256 typed differs from the chosen file.',
    attRemove: 'Remove file {n}', badHref: 'Must be an address starting with https://', badSha: 'Must be 64 hexadecimal digits (0-9, a-f).',
    badSize: 'Must be a whole number, not negative.', save: 'Save draft', preview: 'Preview', submit: 'Send for review',
    approve: 'Approve and publish now', approveAt: 'Approve, release at {time}', returnIt: 'Send back', comment: 'Comment for the writer',
    saved: 'Draft saved.', submitted: 'Sent to the spokesperson for review.', returned: 'Draft sent back.',
    published: 'Published: {n} recipients.', scheduled: 'Scheduled for {time}; {n} recipients.',
    previewTitle: 'Preview: newsrooms will receive exactly this', previewEmpty: 'Press “Preview” to see the statement as newsrooms will receive it.',
    previewStale: 'The content changed since this preview.', json: 'The JSON newsrooms receive',
    reviewTitle: 'Review', reviewLead: 'Check the content and the preview, then publish or send it back.',
    returnedBy: 'The spokesperson sent it back with this comment:', readOnly: 'The draft is in review and cannot be changed.',
    publishedAs: 'This draft has been published.', openStatement: 'Open the statement', state: 'State', revision: 'Revision {n}',
    writtenBy: 'Written by', confirmApprove: 'Publish this statement?', confirmApproveBody: 'It will be signed and sent to every subscribed newsroom. After that it can only be updated, corrected, withheld or killed by a new version.',
    confirmApproveAt: 'It will be signed and held until {time}, then sent to newsrooms.', needComment: 'Write a comment so the writer knows what to change.',
    conflict: 'Someone else just changed this draft. What you typed is still on the page; reload the latest version and type your part again.',
    unsavedLeave: 'There are unsaved changes.', autosaved: 'Kept on this computer.' },
  statements: { title: 'Statements', lead: 'Statements of {agency}, latest version, newest first.', leadAll: 'Statements of every agency, newest first.',
    agency: 'Agency', allAgencies: 'All agencies', headline: 'Headline', kind: 'Kind', version: 'Version', status: 'Status',
    issued: 'Issued', empty: 'No statements yet.', embargoed: 'Embargoed until {time}' },
  statement: { title: 'Statement', version: 'Version {n}', versions: 'Versions', issuedAt: 'Issued', signal: 'Kind of version',
    writtenBy: 'Written by', reviewedBy: 'Reviewed by', publishedBy: 'Published by', view: 'View version {n}', viewing: 'viewing',
    report: 'Delivery report', reportOf: 'Report for version {n}', revise: 'Issue a new version', signalField: 'What to do', choose: '— Choose —', chooseFirst: 'Choose update, correction, withhold or kill.',
    reason: 'Reason (newsrooms will read it)', reasonHint: 'Required for a correction, withhold or kill.', newContent: 'New content',
    submitRevise: 'Issue the new version', confirm: {
      VERSION_SIGNAL_UPDATE: 'Issue this update?', VERSION_SIGNAL_CORRECTION: 'Issue this correction?',
      VERSION_SIGNAL_WITHHOLD: 'Withhold this statement?', VERSION_SIGNAL_KILL: 'Kill this statement?' },
    confirmBody: { VERSION_SIGNAL_UPDATE: 'Newsrooms receive a new version with the changed content.',
      VERSION_SIGNAL_CORRECTION: 'Every newsroom that received it is told that the earlier version was wrong.',
      VERSION_SIGNAL_WITHHOLD: 'Every newsroom that received it is asked to stop using it for now.',
      VERSION_SIGNAL_KILL: 'Every newsroom that received it is asked to take it down wherever it was used. This cannot be undone.' },
    revised: 'Version {v} issued: {n} recipients.', killed: 'The statement was killed; no further versions can be issued.',
    expected: 'A newer version was just issued. The page now shows it; what you typed is kept.',
    from: 'From', spokesperson: 'Spokesperson', signature: 'Signature', signedWith: 'Signed with key {key} ({alg})' },
  report: { title: 'Delivery report', lead: 'Who has received and acknowledged version {v}. The page updates itself as things change.',
    matched: 'Recipients', queued: 'Queued', sent: 'Sent', acknowledged: 'Acknowledged', pending: 'Not queued yet',
    live: 'Live', connecting: 'Connecting…', reconnecting: 'Connection lost, retrying…', stopped: 'Updates stopped',
    lastUpdate: 'Updated {time}', chart: 'Chart by outlet', chartDesc: 'Recipients of each outlet: acknowledged, sent, queued.',
    outlet: 'Outlet', recipient: 'Recipient', recipientId: 'Recipient id', queuedAt: 'Queued', sentAt: 'Sent',
    ackAt: 'Acknowledged', notYet: 'Not yet', unconfirmed: 'Not acknowledged ({n})', allConfirmed: 'Every recipient has acknowledged.', everyone: 'All recipients ({n})',
    truncated: 'Showing {shown} of {total} rows.', version: 'Version', overall: 'Overview', others: 'Other outlets' },
  kind: { STATEMENT_KIND_PRESS_RELEASE: 'Press release', STATEMENT_KIND_ANSWER: 'Answer to a journalist’s question',
    STATEMENT_KIND_PRESS_CONFERENCE_NOTICE: 'Press conference notice', STATEMENT_KIND_CORRECTION_REQUEST: 'Correction request or response' },
  pubstatus: { PUB_STATUS_USABLE: 'Usable', PUB_STATUS_WITHHELD: 'Withheld', PUB_STATUS_CANCELED: 'Killed' },
  signal: { VERSION_SIGNAL_PUBLISH: 'Publish', VERSION_SIGNAL_UPDATE: 'Update', VERSION_SIGNAL_CORRECTION: 'Correction',
    VERSION_SIGNAL_WITHHOLD: 'Withhold', VERSION_SIGNAL_KILL: 'Kill' },
  draftState: { DRAFT_STATE_WRITING: 'Being written', DRAFT_STATE_IN_REVIEW: 'In review', DRAFT_STATE_PUBLISHED: 'Published' },
  urgency: { 1: 'Flash', 2: 'Most urgent', 3: 'Urgent', 4: 'Important', 5: 'Normal', 6: 'Normal', 7: 'Not urgent', 8: 'Not urgent', 9: 'Not urgent' },
  language: { vi: 'Vietnamese', en: 'English' },
  agencyKind: { AGENCY_KIND_MINISTRY: 'Ministry', AGENCY_KIND_MINISTRY_LEVEL: 'Ministry-level agency', AGENCY_KIND_GOVERNMENT_AGENCY: 'Government agency',
    AGENCY_KIND_PROVINCIAL_COMMITTEE: 'Provincial People’s Committee', AGENCY_KIND_OTHER: 'Other' },
  spokesRole: { SPOKESPERSON_ROLE_HEAD: 'Head of the agency', SPOKESPERSON_ROLE_SPOKESPERSON: 'Spokesperson',
    SPOKESPERSON_ROLE_AUTHORISED: 'Authorised on one matter' },
  outletKind: { OUTLET_KIND_NEWSPAPER: 'Newspaper', OUTLET_KIND_MAGAZINE: 'Magazine', OUTLET_KIND_ONLINE: 'Online newspaper',
    OUTLET_KIND_RADIO: 'Radio', OUTLET_KIND_TELEVISION: 'Television', OUTLET_KIND_NEWS_AGENCY: 'News agency' },
  subjectKind: { SUBJECT_KIND_OPERATOR: 'Operator', SUBJECT_KIND_SPOKESPERSON: 'Spokesperson', SUBJECT_KIND_NEWSROOM_CLIENT: 'Newsroom client',
    SUBJECT_KIND_JOURNALIST: 'Journalist', SUBJECT_KIND_SERVICE: 'Service', SUBJECT_KIND_GATEWAY: 'Admin gateway', SUBJECT_KIND_PRESS_OFFICER: 'Press officer' },
  topic: { health: 'Health', economy: 'Economy', education: 'Education', disaster: 'Disasters', environment: 'Environment', transport: 'Transport',
    'foreign-affairs': 'Foreign affairs', security: 'Public security', culture: 'Culture', agriculture: 'Agriculture', finance: 'Finance',
    science: 'Science and technology', labour: 'Labour and jobs', law: 'Law' },
  reg: {
    agencies: { title: 'Agencies', lead: 'Agencies that have a spokesperson under Decree 09/2017/NĐ-CP.', code: 'Agency code', nameVi: 'Vietnamese name',
      nameEn: 'English name', kind: 'Kind of agency', parentCode: 'Parent agency code', regionCode: 'Province or city', website: 'Portal (https)',
      form: 'Add or change an agency', saved: 'Agency {id} saved.' },
    spokespeople: { title: 'Spokespeople', lead: 'Who may speak for an agency, and for how long.', id: 'Spokesperson id',
      agencyCode: 'Agency', fullName: 'Full name', titleField: 'Title', role: 'Entitled as', matter: 'Matter authorised',
      authorisedBy: 'Number of the designating or authorising document (e.g. 15/QĐ-BYT; the head: leave empty)',
      matterTopics: 'Subject codes the matter covers (comma-separated, e.g. disaster, weather)',
      validFrom: 'May speak from', validUntil: 'Until (empty: until further notice)', email: 'Email', phone: 'Phone',
      validity: 'Validity', active: 'Valid now', expired: 'Expired', future: 'Not yet valid', form: 'Add or change a spokesperson',
      saved: 'Spokesperson {id} saved.', filterAgency: 'Filter by agency' },
    officers: { title: 'Press officers', lead: 'Press-office staff: they write drafts for the spokesperson to review.', id: 'Press officer id',
      agencyCode: 'Agency', fullName: 'Full name', titleField: 'Title', email: 'Email', phone: 'Phone', disabled: 'Left (may no longer act)',
      form: 'Add or change a press officer', saved: 'Press officer {id} saved.', filterAgency: 'Filter by agency', status: 'Status',
      on: 'Active', off: 'Left' },
    outlets: { title: 'Outlets', lead: 'Licensed press outlets that receive statements.', id: 'Outlet id', licence: 'Licence number',
      name: 'Name', kind: 'Kind', trusted: 'Trusted (may receive embargoed statements early)', trustedShort: 'Trusted',
      form: 'Add or change an outlet', saved: 'Outlet {id} saved.' },
    journalists: { title: 'Journalists', lead: 'Journalists holding a press card; each receives what their subscription asks for.', card: 'Press card number', fullName: 'Full name',
      outlet: 'Outlet', expires: 'Card valid until', email: 'Email', phone: 'Phone', form: 'Add or change a journalist',
      saved: 'Journalist {id} saved.', filterOutlet: 'Filter by outlet', allOutlets: 'All', expired: 'Card expired' },
    clients: { title: 'Newsroom clients', lead: 'Newsroom systems that ingest the wire (machine to machine).', id: 'Client id', outlet: 'Outlet',
      description: 'Description', disabled: 'Disabled', form: 'Add or change a newsroom client', saved: 'Client {id} saved.',
      filterOutlet: 'Filter by outlet', status: 'Status', on: 'Receiving', off: 'Disabled' },
    subscriptions: { title: 'Subscriptions', lead: 'Each recipient receives only what matches its subscription; an empty item means everything.',
      recipient: 'Recipient', recipientHint: 'client:<client id> or journalist:<card number>', load: 'Open subscription', agencies: 'Only these agencies (codes, comma-separated)',
      topics: 'Only these topics (codes, comma-separated)', regions: 'Only these regions', languages: 'Languages', maxUrgency: 'At least this urgent',
      anyUrgency: 'Any (0)', kinds: 'Kinds', form: 'Subscription', saved: 'Subscription of {id} saved.', notFound: 'This recipient has no subscription yet; save to create one.',
      loaded: 'Subscription of {id} opened.' },
    tokens: { title: 'Tokens', lead: 'Bearer tokens for newsroom clients, journalists and services. A token is shown only once, when issued.',
      subjectKind: 'Issued to', subjectId: 'Subject id', ttl: 'Lifetime (days)', description: 'What it is for', issue: 'Issue token',
      issued: 'New token', once: 'Copy this token now: it is shown only once and is not stored.', tokenField: 'Token',
      id: 'Token id', issuedAt: 'Issued', expiresAt: 'Expires', state: 'State', revoke: 'Revoke', revoked: 'Revoked',
      activeState: 'Valid', expiredState: 'Expired', confirmRevoke: 'Revoke token {id}?', confirmRevokeBody: 'Whoever uses it is cut off at once.',
      revokedOk: 'Token {id} revoked.', filterSubject: 'Filter by subject id', session: 'Sign-in session', form: 'Issue a new token' },
    accounts: { title: 'Sign-in accounts', lead: 'Desk sign-in accounts of operators, spokespeople and press officers.',
      username: 'Username', subjectKind: 'Role', subjectId: 'Person id (spokesperson, press officer, or the operator’s name)',
      displayName: 'Display name', password: 'Password (at least 12 characters; empty keeps the current one)', disabled: 'Disabled',
      totp: 'Two-factor', lastSignIn: 'Last sign-in', lockedUntil: 'Locked until', form: 'Create or change an account',
      saved: 'Account {id} saved.', resetTotp: 'Reset two-factor', confirmReset: 'Reset the two-factor authentication of {id}?',
      confirmResetBody: 'The person must enrol again at the next sign-in.', resetOk: 'Two-factor of {id} reset.',
      disable: 'Disable', enable: 'Enable', disabledOk: 'Account {id} disabled.', enabledOk: 'Account {id} enabled.',
      status: 'Status', on: 'In use', off: 'Disabled', confirmDisable: 'Disable account {id}?', confirmDisableBody: 'The person’s open sessions end at once.' },
    audit: { title: 'Audit trail', lead: 'Every state-changing call, who made it and how it ended, newest first.', principal: 'Principal id',
      method: 'Method (Service.Method)', target: 'Target', since: 'Since (Vietnam time)', limit: 'Rows per page', at: 'At',
      who: 'Who', role: 'Role', outcome: 'Outcome', peer: 'Address', via: 'Via gateway', search: 'Search', empty: 'No entry matched in the stretch of the trail read.',
      moreMaybe: 'Older entries may still match: press “Next page”.' },
    import: { title: 'Bulk import', lead: 'Import outlets and journalists from CSV files (UTF-8, first line the column names). The files are read on this computer; nothing is written unless every row is valid.',
      outletsFile: 'Outlets CSV file', journalistsFile: 'Journalists CSV file', columns: 'Columns', example: 'Example',
      check: 'Check and import', rows: '{n} rows', report: 'Row by row', file: 'File', line: 'Line', item: 'Item', status: 'Result',
      reasons: 'Reasons', ok: 'Valid', refused: 'Refused', done: 'Imported {outlets} outlets and {journalists} journalists.',
      nothing: 'Choose at least one CSV file.', refusedAll: 'Nothing was written: {n} rows were refused. Fix the file and import again.',
      missingColumn: 'Column {col} is missing.', badKind: 'There is no kind “{v}”; use: {list}.', badBool: '“{v}” is not yes/no.',
      badDate: 'Cannot read the date “{v}”; use YYYY-MM-DD or RFC 3339.', emptyFile: 'The file has no data rows.', parseError: 'The CSV file is broken: {msg}' } },
  err: {
    field: 'Some information is not valid: see the marked fields.', network: 'Cannot reach the server. What you typed is kept; try again.',
    3: 'Some information is not valid.', 5: 'Not found.', 6: 'It already exists.', 7: 'You may not do this.', 9: 'This cannot be done in the current state.',
    10: 'It was changed at the same time; try again.', 8: 'Too many requests. Try again in {s} seconds.', retryLater: 'Too many requests. Try again in a few minutes.',
    14: 'The service is not answering right now. What you typed is kept; try again.', 4: 'The server took too long; try again.',
    16: 'Your session ended; sign in again.', 13: 'The server failed.', 12: 'The server does not support this yet.', other: 'Something went wrong.',
    detail: 'Server detail: {msg}', totpPending: 'Turn on two-factor authentication before you go on.' },
  desc: [],
};

const dictionaries = { vi, en };
let current = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi';

export function lang() { return current; }

export function setLang(next) {
  current = next === 'en' ? 'en' : 'vi';
  localStorage.setItem(LANG_KEY, current);
  document.documentElement.lang = current;
}

function lookup(dict, key) {
  let node = dict;
  for (const part of key.split('.')) {
    if (node == null || typeof node !== 'object') return undefined;
    node = node[part];
  }
  return node;
}

// t('editor.counter', {n: 3, max: 300}) -> "3/300 ký tự"
export function t(key, vars) {
  let text = lookup(dictionaries[current], key);
  if (typeof text !== 'string') text = lookup(vi, key);
  if (typeof text !== 'string') return key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return text;
}

// The label of an enum value ('kind', 'STATEMENT_KIND_ANSWER'), or the value itself.
export function label(group, value) {
  const text = lookup(dictionaries[current], `${group}.${value}`);
  return typeof text === 'string' ? text : (value ?? '');
}

export function locale() { return current === 'en' ? 'en-GB' : 'vi-VN'; }

const formats = new Map();
function formatter(style) {
  const key = `${current}:${style}`;
  if (!formats.has(key)) {
    const options = {
      short: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
      long: { dateStyle: 'full', timeStyle: 'short' },
      seconds: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
      date: { year: 'numeric', month: '2-digit', day: '2-digit' },
      time: { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
    }[style];
    formats.set(key, new Intl.DateTimeFormat(locale(), { timeZone: ZONE, ...options }));
  }
  return formats.get(key);
}

// An RFC 3339 timestamp (or Date) in the reader's language, Vietnam time; '' when unset.
export function fmtTime(value, style = 'short') {
  if (!value) return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return formatter(style).format(d);
}

export function fmtNumber(n) { return new Intl.NumberFormat(locale()).format(Number(n) || 0); }

export function fmtBytes(n) {
  const v = Number(n) || 0;
  if (v < 1024) return `${fmtNumber(v)} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let x = v / 1024;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) { x /= 1024; i += 1; }
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(x)} ${units[i]}`;
}

// Wall-clock time in Vietnam ("2026-12-05T10:00" from <input type=datetime-local>) to RFC 3339
// UTC, whatever zone the browser is in.
export function vnLocalToUtc(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text || '');
  if (!m) return '';
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
  // The zone's offset at that moment (Vietnam keeps UTC+7 all year; computed, not assumed).
  let guess = wall - 7 * 3600e3;
  for (let i = 0; i < 2; i += 1) guess = wall - zoneOffset(new Date(guess));
  return new Date(guess).toISOString().replace('.000Z', 'Z');
}

// RFC 3339 to Vietnam wall-clock "YYYY-MM-DDTHH:MM" for <input type=datetime-local>.
export function utcToVnLocal(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() + zoneOffset(d)).toISOString().slice(0, 16);
}

function zoneOffset(date) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(date);
  const get = (type) => +parts.find((p) => p.type === type).value;
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

// A service's field description ("is required") in the reader's language.
export function describe(description) {
  if (!description) return '';
  const table = dictionaries[current].desc;
  for (const [pattern, text] of table) {
    const m = pattern.exec(description);
    if (m) return text.replace(/\$(\d)/g, (_, i) => m[Number(i)] ?? '');
  }
  if (current === 'vi') return `Không hợp lệ: ${description}`;
  return description.charAt(0).toUpperCase() + description.slice(1);
}
