-- Citizen requests 接诉即办 (issue 3): tickets, their append-only event history, assignments,
-- per-level timers, idempotency keys, incremental metric counters, and the configuration the
-- router and the SLA need (categories, responsibility matrix, SLA tiers, holiday calendar).
-- Times are epoch milliseconds. Unit ids are text: a division code for the chain's own units
-- (command centre, township platform, village committee, grid) or the units.id of a department.
CREATE TABLE tickets (
  id               BIGSERIAL PRIMARY KEY,
  code             TEXT NOT NULL UNIQUE,          -- public tracking code 查询码
  county_code      TEXT COLLATE "C" NOT NULL,
  channel          TEXT NOT NULL,                 -- citizen | hotline | grid | transfer
  category         TEXT NOT NULL,
  subject          TEXT NOT NULL,
  body             TEXT NOT NULL,
  lat              DOUBLE PRECISION,
  lon              DOUBLE PRECISION,
  address          TEXT NOT NULL DEFAULT '',
  grid_code        TEXT COLLATE "C" NOT NULL DEFAULT '',
  division_code    TEXT COLLATE "C" NOT NULL,              -- division of the current holder
  unit_id          TEXT NOT NULL,                 -- current holder
  unit_type        TEXT NOT NULL,
  unit_name        TEXT NOT NULL,
  level            INTEGER NOT NULL,
  status           TEXT NOT NULL,
  sla_tier         TEXT NOT NULL,
  response_due     BIGINT,
  resolution_due   BIGINT,
  merged_into      TEXT NOT NULL DEFAULT '',
  reopen_count     INTEGER NOT NULL DEFAULT 0,
  requester_name   TEXT NOT NULL DEFAULT '',      -- personal data: masked in lists
  requester_phone  TEXT NOT NULL DEFAULT '',      -- personal data: masked in lists
  is_public        INTEGER NOT NULL DEFAULT 0,
  manual_dispatch  INTEGER NOT NULL DEFAULT 0,
  route_zh         TEXT NOT NULL DEFAULT '',      -- why it went where it went
  route_en         TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL,                 -- the lifecycle's Ticket (chain, flags) as JSON
  created_by       BIGINT,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL
);
CREATE INDEX tickets_division ON tickets(division_code, status);
CREATE INDEX tickets_unit ON tickets(unit_id, status);
CREATE INDEX tickets_due ON tickets(resolution_due);
CREATE INDEX tickets_created ON tickets(county_code, created_at);
CREATE INDEX tickets_place ON tickets(lat, lon);

-- Every transition 流转记录: who, when, from, to, action, note. Append-only.
CREATE TABLE ticket_events (
  id          BIGSERIAL PRIMARY KEY,
  ticket_id   BIGINT NOT NULL REFERENCES tickets(id),
  at          BIGINT NOT NULL,
  actor_id    BIGINT,
  actor_name  TEXT NOT NULL,
  actor_role  TEXT NOT NULL,
  action      TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status   TEXT NOT NULL,
  unit_id     TEXT NOT NULL DEFAULT '',           -- the holder after the event
  unit_name   TEXT NOT NULL DEFAULT '',
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);

CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'ticket_events is append-only'; END $$;
CREATE TRIGGER ticket_events_no_change BEFORE UPDATE OR DELETE ON ticket_events
FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();


-- 派单记录: dispatch / return / escalate / reopen, from → to. Also what a unit has ever been sent.
CREATE TABLE assignments (
  id            BIGSERIAL PRIMARY KEY,
  ticket_id     BIGINT NOT NULL REFERENCES tickets(id),
  kind          TEXT NOT NULL,
  from_unit_id  TEXT NOT NULL DEFAULT '',
  to_unit_id    TEXT NOT NULL,
  to_unit_name  TEXT NOT NULL,
  to_division   TEXT COLLATE "C" NOT NULL,
  at            BIGINT NOT NULL,
  reason        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assignments_ticket ON assignments(ticket_id);
CREATE INDEX assignments_to_unit ON assignments(to_unit_id, ticket_id);
CREATE INDEX assignments_to_division ON assignments(to_division, ticket_id);

-- Per-level time limits. A timer only moves forward: pending → warned → fired (or cancelled),
-- and the move is saved with the events it causes, so each fires once.
CREATE TABLE timers (
  id          BIGSERIAL PRIMARY KEY,
  ticket_id   BIGINT NOT NULL REFERENCES tickets(id),
  kind        TEXT NOT NULL,                      -- response | resolution
  level       INTEGER NOT NULL,
  unit        TEXT NOT NULL,                      -- the UnitRef as JSON
  unit_id     TEXT NOT NULL,
  tier        TEXT NOT NULL,
  started_at  BIGINT NOT NULL,
  warn_at     BIGINT NOT NULL,
  due_at      BIGINT NOT NULL,
  state       TEXT NOT NULL                       -- pending | warned | fired | cancelled
);
CREATE INDEX timers_live ON timers(state, warn_at);
CREATE INDEX timers_ticket ON timers(ticket_id, state);

-- Idempotency-Key of an intake: the same key with the same body answers the same ticket.
CREATE TABLE idempotency_keys (
  key        TEXT PRIMARY KEY,
  body_hash  TEXT NOT NULL,
  ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
  created_at BIGINT NOT NULL
);

-- Incremental metric counters 考核指标计数 (scope unit|area, id, period, part), added to in the
-- same transaction as the event that causes them.
CREATE TABLE metric_counters (
  scope   TEXT NOT NULL,
  ref_id  TEXT COLLATE "C" NOT NULL,
  period  TEXT NOT NULL,
  part    TEXT NOT NULL,
  value   BIGINT NOT NULL,
  PRIMARY KEY (scope, ref_id, period, part)
);
CREATE INDEX metric_counters_period ON metric_counters(scope, period, ref_id);

-- The category tree 诉求分类 shipped in data/categories/default.csv (loaded here).
CREATE TABLE request_categories (
  code      TEXT PRIMARY KEY,
  parent_code TEXT NOT NULL DEFAULT '',
  name_zh   TEXT NOT NULL,
  name_en   TEXT NOT NULL,
  sla_tier  TEXT NOT NULL,
  unit_type TEXT NOT NULL DEFAULT ''             -- the department usually responsible (display)
);

-- Responsibility matrix 责任清单 rows: category ('*' = default) → unit type and level, tier.
CREATE TABLE responsibility_matrix (
  category  TEXT PRIMARY KEY,
  unit_type TEXT NOT NULL,
  level     INTEGER NOT NULL,
  sla_tier  TEXT NOT NULL DEFAULT '',
  version   TEXT NOT NULL
);

-- SLA tiers 办理时限 (policy data). Units: minutes | hours | calendar_days | working_days.
CREATE TABLE sla_tiers (
  code             TEXT PRIMARY KEY,
  name_zh          TEXT NOT NULL,
  name_en          TEXT NOT NULL,
  response_amount  INTEGER NOT NULL,
  response_unit    TEXT NOT NULL,
  resolution_amount INTEGER NOT NULL,
  resolution_unit  TEXT NOT NULL,
  warn_fraction    DOUBLE PRECISION NOT NULL DEFAULT 0,
  warn_minutes     INTEGER NOT NULL DEFAULT 0,
  is_default       INTEGER NOT NULL DEFAULT 0
);

-- Holidays and make-up working days 调休 (State Council list, per year).
CREATE TABLE holiday_calendar (
  day  TEXT PRIMARY KEY,                          -- YYYY-MM-DD
  kind TEXT NOT NULL                              -- holiday | workday
);

-- Generated from data/categories/default.csv (tier standard → ordinary).
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('01', '', '城乡建设', 'Urban and rural construction', 'ordinary', '住房和城乡建设部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0101', '01', '住房保障', 'Affordable and public housing', 'ordinary', '住房和城乡建设部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0102', '01', '物业管理', 'Residential property management', 'ordinary', '住房和城乡建设部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0103', '01', '房屋安全与建筑施工', 'Building safety and construction sites', 'urgent', '住房和城乡建设部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0104', '01', '市政设施', 'Municipal facilities (street lights, manholes, pavements)', 'urgent', '城市管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0105', '01', '城市管理执法', 'City management enforcement (illegal building, street vending)', 'ordinary', '城市管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0106', '01', '环境卫生', 'Street cleaning and refuse collection', 'ordinary', '城市管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0107', '01', '园林绿化', 'Parks and greenery', 'ordinary', '城市管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0108', '01', '房产交易与不动产登记', 'Property transactions and real-estate registration', 'complex', '不动产登记机构');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0109', '01', '征收拆迁', 'Expropriation and relocation', 'complex', '房屋征收部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0110', '01', '农村人居环境', 'Village living environment and rural housing', 'ordinary', '乡镇人民政府');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('02', '', '水电气暖', 'Utilities (water, power, gas, heating)', 'urgent', '公用事业单位');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0201', '02', '供水', 'Water supply', 'urgent', '供水企业');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0202', '02', '供电', 'Power supply', 'urgent', '供电企业');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0203', '02', '燃气', 'Gas supply and gas safety', 'urgent', '燃气企业');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0204', '02', '供暖', 'District heating', 'urgent', '供热企业');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0205', '02', '排水与污水管网', 'Drains and sewers', 'urgent', '排水管理单位');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0206', '02', '通信与网络', 'Telephone and broadband', 'ordinary', '通信运营企业');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('03', '', '劳动和社会保障', 'Labour and social security', 'ordinary', '人力资源和社会保障部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0301', '03', '拖欠工资', 'Unpaid wages', 'urgent', '劳动保障监察机构');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0302', '03', '劳动关系与劳动合同', 'Employment relations and contracts', 'ordinary', '人力资源和社会保障部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0303', '03', '社会保险', 'Social insurance (pension, unemployment, work injury)', 'ordinary', '社会保险经办机构');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0304', '03', '医疗保障', 'Medical insurance', 'ordinary', '医疗保障部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0305', '03', '就业创业', 'Employment services and business start-up', 'ordinary', '人力资源和社会保障部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0306', '03', '退休待遇', 'Retirement and pension payments', 'ordinary', '社会保险经办机构');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0307', '03', '人事招考与人才', 'Public recruitment and talent programmes', 'ordinary', '人力资源和社会保障部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('04', '', '教育文体', 'Education, culture and sport', 'ordinary', '教育部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0401', '04', '招生入学', 'School admissions and places', 'ordinary', '教育部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0402', '04', '教育收费', 'School fees and charges', 'ordinary', '教育部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0403', '04', '校园安全', 'School safety', 'urgent', '教育部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0404', '04', '教师与教学管理', 'Teachers and teaching', 'ordinary', '教育部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0405', '04', '校外培训', 'Private tutoring and training institutions', 'ordinary', '教育部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0406', '04', '文化体育设施与活动', 'Cultural and sports venues and events', 'ordinary', '文化和旅游部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0407', '04', '文化市场', 'Cultural market (internet cafés, entertainment venues)', 'ordinary', '文化市场综合执法机构');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('05', '', '卫生计生', 'Health and family planning', 'ordinary', '卫生健康部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0501', '05', '医疗服务', 'Hospital and clinic services', 'ordinary', '卫生健康部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0502', '05', '医患纠纷', 'Medical disputes', 'complex', '卫生健康部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0503', '05', '公共卫生与疾病防控', 'Public health and disease control', 'urgent', '疾病预防控制机构');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0504', '05', '生育服务', 'Births and family planning services', 'ordinary', '卫生健康部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0505', '05', '药品与医疗器械', 'Medicines and medical devices', 'ordinary', '市场监督管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0506', '05', '基层医疗卫生', 'Village clinics and community health', 'ordinary', '卫生健康部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('06', '', '环境保护', 'Environmental protection', 'ordinary', '生态环境部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0601', '06', '大气污染', 'Air pollution', 'ordinary', '生态环境部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0602', '06', '水污染', 'Water pollution', 'ordinary', '生态环境部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0603', '06', '噪声扰民', 'Noise nuisance', 'ordinary', '生态环境部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0604', '06', '固体废物与危险废物', 'Solid and hazardous waste', 'urgent', '生态环境部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0605', '06', '餐饮油烟', 'Cooking fumes from restaurants', 'ordinary', '城市管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0606', '06', '土壤与农业面源污染', 'Soil and agricultural pollution', 'complex', '生态环境部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('07', '', '交通运输', 'Transport', 'ordinary', '交通运输部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0701', '07', '道路建设与养护', 'Road building and maintenance', 'ordinary', '交通运输部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0702', '07', '公交客运', 'Buses and passenger transport', 'ordinary', '交通运输部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0703', '07', '出租车与网约车', 'Taxis and ride-hailing', 'ordinary', '交通运输部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0704', '07', '交通秩序与停车', 'Traffic order and parking', 'ordinary', '公安交通管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0705', '07', '农村公路', 'Rural roads', 'ordinary', '交通运输部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0706', '07', '驾驶证与车辆管理', 'Driving licences and vehicle registration', 'ordinary', '公安交通管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('08', '', '商贸旅游', 'Commerce and tourism', 'ordinary', '市场监督管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0801', '08', '消费维权', 'Consumer complaints', 'ordinary', '市场监督管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0802', '08', '食品安全', 'Food safety', 'urgent', '市场监督管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0803', '08', '价格收费', 'Prices and fees', 'ordinary', '市场监督管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0804', '08', '市场经营秩序', 'Market order (unlicensed trading, pyramid selling)', 'ordinary', '市场监督管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0805', '08', '旅游服务', 'Tourism services', 'ordinary', '文化和旅游部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0806', '08', '营商环境', 'Business environment and enterprise services', 'ordinary', '营商环境主管部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('09', '', '公共安全', 'Public safety and order', 'urgent', '公安机关');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0901', '09', '治安与违法线索', 'Public order and crime reports', 'urgent', '公安机关');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0902', '09', '户籍与证件', 'Household registration and identity documents', 'ordinary', '公安机关');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0903', '09', '消防安全', 'Fire safety', 'urgent', '消防救援机构');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0904', '09', '安全生产', 'Work safety', 'urgent', '应急管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0905', '09', '电信网络诈骗', 'Telephone and online fraud', 'urgent', '公安机关');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('0906', '09', '矛盾纠纷调解', 'Disputes between neighbours and mediation', 'ordinary', '司法所');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('10', '', '民政与社会事务', 'Civil affairs', 'ordinary', '民政部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1001', '10', '低保与社会救助', 'Subsistence allowance and social assistance', 'ordinary', '民政部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1002', '10', '养老服务', 'Elderly care', 'ordinary', '民政部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1003', '10', '残疾人服务', 'Services for people with disabilities', 'ordinary', '残疾人联合会');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1004', '10', '婚姻登记', 'Marriage registration', 'ordinary', '民政部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1005', '10', '殡葬管理', 'Funerals and cemeteries', 'ordinary', '民政部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1006', '10', '社区与村务', 'Community and village affairs', 'ordinary', '乡镇人民政府（街道办事处）');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('11', '', '农业农村', 'Agriculture and rural affairs', 'ordinary', '农业农村部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1101', '11', '土地承包经营', 'Rural land contracts and transfers', 'complex', '农业农村部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1102', '11', '惠农补贴', 'Farm subsidies', 'ordinary', '农业农村部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1103', '11', '农资与动植物防疫', 'Farm supplies and animal and plant health', 'ordinary', '农业农村部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1104', '11', '水利与防汛', 'Irrigation and flood control', 'urgent', '水利部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1105', '11', '乡村振兴与帮扶', 'Rural revitalisation and household assistance', 'ordinary', '乡村振兴部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1106', '11', '林业', 'Forestry', 'ordinary', '林业部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('12', '', '国土规划', 'Land and planning', 'complex', '自然资源部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1201', '12', '土地违法', 'Illegal land use', 'ordinary', '自然资源部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1202', '12', '规划管理', 'Planning permission', 'complex', '自然资源部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1203', '12', '矿产资源', 'Mining', 'complex', '自然资源部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('13', '', '政务服务', 'Government services and conduct', 'ordinary', '政务服务管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1301', '13', '办事效率', 'Speed and number of visits needed', 'ordinary', '政务服务管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1302', '13', '工作作风', 'Conduct of public servants', 'ordinary', '纪检监察机关');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1303', '13', '政策咨询', 'Policy enquiries', 'ordinary', '政务服务管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1304', '13', '政务公开', 'Public information', 'ordinary', '政务服务管理部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('14', '', '党建群团', 'Party building and mass organisations', 'ordinary', '组织部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1401', '14', '组织关系与党员管理', 'Party membership and transfers', 'ordinary', '组织部门');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1402', '14', '工会与职工权益', 'Trade unions', 'ordinary', '总工会');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1403', '14', '妇女儿童与青年', 'Women, children and youth', 'ordinary', '妇联与共青团');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('15', '', '其他', 'Other', 'ordinary', '乡镇人民政府（街道办事处）');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1501', '15', '意见建议与表扬', 'Suggestions and praise', 'ordinary', '乡镇人民政府（街道办事处）');
INSERT INTO request_categories(code, parent_code, name_zh, name_en, sla_tier, unit_type) VALUES('1502', '15', '其他事项', 'Other matters', 'ordinary', '乡镇人民政府（街道办事处）');

-- Default: every located request goes to the grid 网格 it lies in (the grid worker handles or
-- passes it up); a deployment adds rows per category for departments.
INSERT INTO responsibility_matrix(category, unit_type, level, sla_tier, version) VALUES('*', 'grid', 6, '', 'default-1');

-- SlaPolicy::defaults() (docs/requests.md §4, (verify)).
INSERT INTO sla_tiers VALUES('urgent', '紧急（危及生命财产）', 'Urgent (danger to life or property)', 30, 'minutes', 2, 'hours', 0.25, 0, 0);
INSERT INTO sla_tiers VALUES('utilities', '民生（水电气暖）', 'Utilities (water, power, gas, heating)', 2, 'hours', 24, 'hours', 0.2, 0, 0);
INSERT INTO sla_tiers VALUES('ordinary', '一般', 'Ordinary', 24, 'hours', 7, 'working_days', 0, 1440, 1);
INSERT INTO sla_tiers VALUES('complex', '复杂', 'Complex', 24, 'hours', 15, 'working_days', 0, 2880, 0);

-- 2026 public holidays and make-up working days (国务院办公厅 notice for 2026; (verify) against
-- the published notice before relying on it).
INSERT INTO holiday_calendar(day, kind) VALUES('2026-01-01', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-01-02', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-01-03', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-15', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-16', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-17', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-18', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-19', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-20', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-21', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-22', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-23', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-04-04', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-04-05', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-04-06', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-05-01', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-05-02', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-05-03', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-05-04', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-05-05', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-06-19', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-06-20', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-06-21', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-09-25', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-09-26', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-09-27', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-10-01', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-10-02', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-10-03', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-10-04', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-10-05', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-10-06', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-10-07', 'holiday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-01-04', 'workday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-14', 'workday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-02-28', 'workday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-05-09', 'workday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-09-20', 'workday');
INSERT INTO holiday_calendar(day, kind) VALUES('2026-10-10', 'workday');

-- The routing cache (the grid R-tree in memory) is rebuilt when this number changes.
INSERT INTO settings(key, value) VALUES('grids_version', '0') ON CONFLICT(key) DO NOTHING;
CREATE FUNCTION grids_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE settings SET value = (value::bigint + 1)::text WHERE key = 'grids_version'; RETURN NULL; END $$;
CREATE TRIGGER grids_version_change AFTER INSERT OR UPDATE OR DELETE ON grids
FOR EACH STATEMENT EXECUTE FUNCTION grids_version_bump();
