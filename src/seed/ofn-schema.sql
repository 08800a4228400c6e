-- A subset of Open Food Network's schema (db/schema.rb, version 2026_06_11_223814), as the bot sees it
-- on a read replica. Names and types follow OFN: timestamps are `timestamp without time zone` holding UTC,
-- money is numeric(10,2), `sells`/`visible` are strings. Only the tables and columns the bot or the
-- demo data need are here; personal columns are kept so the privacy tests have something to leak.
-- Indexes: exactly those db/schema.rb has on these tables, with OFN's names (test/ofn-releases.test.ts
-- compares them with test/fixtures/ofn-schema/ofn-2026-08.sql, generated from schema.rb), so that
-- benchmarks run on what a replica has.

CREATE TABLE spree_countries (
  id serial PRIMARY KEY,
  iso_name varchar(255),
  iso varchar(255),
  iso3 varchar(255),
  name varchar(255),
  numcode integer,
  states_required boolean DEFAULT true
);

CREATE TABLE spree_states (
  id serial PRIMARY KEY,
  name varchar(255),
  abbr varchar(255),
  country_id integer REFERENCES spree_countries(id)
);

CREATE TABLE spree_addresses (
  id serial PRIMARY KEY,
  firstname varchar(255),
  lastname varchar(255),
  address1 varchar(255),
  address2 varchar(255),
  city varchar(255),
  zipcode varchar(255),
  phone varchar(255),
  state_name varchar(255),
  alternative_phone varchar(255),
  company varchar(255),
  state_id integer REFERENCES spree_states(id),
  country_id integer NOT NULL REFERENCES spree_countries(id),
  latitude numeric,
  longitude numeric,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL
);
CREATE INDEX index_addresses_on_firstname ON spree_addresses (firstname);
CREATE INDEX index_addresses_on_lastname ON spree_addresses (lastname);

CREATE TABLE spree_users (
  id serial PRIMARY KEY,
  encrypted_password varchar(128),
  password_salt varchar(128),
  email varchar(255),
  remember_token varchar(255),
  persistence_token varchar(255),
  reset_password_token varchar(255),
  perishable_token varchar(255),
  sign_in_count integer NOT NULL DEFAULT 0,
  failed_attempts integer NOT NULL DEFAULT 0,
  last_request_at timestamp without time zone,
  current_sign_in_at timestamp without time zone,
  last_sign_in_at timestamp without time zone,
  current_sign_in_ip varchar(255),
  last_sign_in_ip varchar(255),
  login varchar(255),
  ship_address_id integer,
  bill_address_id integer,
  authentication_token varchar(255),
  unlock_token varchar(255),
  locked_at timestamp without time zone,
  remember_created_at timestamp without time zone,
  reset_password_sent_at timestamp without time zone,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  spree_api_key varchar(48),
  enterprise_limit integer NOT NULL DEFAULT 5,
  locale varchar(6),
  confirmation_token varchar(255),
  confirmed_at timestamp without time zone,
  confirmation_sent_at timestamp without time zone,
  unconfirmed_email varchar(255),
  disabled_at timestamp without time zone,
  provider varchar,
  uid varchar,
  admin boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX index_spree_users_on_confirmation_token ON spree_users (confirmation_token);
CREATE UNIQUE INDEX email_idx_unique ON spree_users (email);
CREATE INDEX index_users_on_persistence_token ON spree_users (persistence_token);

CREATE TABLE enterprises (
  id serial PRIMARY KEY,
  name varchar(255) NOT NULL,
  description varchar,
  long_description text,
  is_primary_producer boolean,
  contact_name varchar(255),
  phone varchar(255),
  email_address varchar(255),
  website varchar(255),
  twitter varchar(255),
  abn varchar(255),
  acn varchar(255),
  address_id integer REFERENCES spree_addresses(id),
  business_address_id integer REFERENCES spree_addresses(id),
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  permalink varchar NOT NULL,
  sells varchar(255) NOT NULL DEFAULT 'none',
  owner_id integer NOT NULL REFERENCES spree_users(id),
  visible varchar(255) NOT NULL DEFAULT 'only_through_links',
  charges_sales_tax boolean NOT NULL DEFAULT false,
  require_login boolean NOT NULL DEFAULT false,
  allow_guest_orders boolean NOT NULL DEFAULT true,
  allow_order_changes boolean NOT NULL DEFAULT false,
  enable_subscriptions boolean NOT NULL DEFAULT false,
  producer_profile_only boolean NOT NULL DEFAULT false,
  whatsapp_phone varchar(255),
  external_billing_id varchar(128)
);
CREATE INDEX index_enterprises_on_address_id ON enterprises (address_id);
CREATE INDEX index_enterprises_on_is_primary_producer_and_sells ON enterprises (is_primary_producer, sells);
CREATE UNIQUE INDEX index_enterprises_on_name ON enterprises (name);
CREATE INDEX index_enterprises_on_owner_id ON enterprises (owner_id);
CREATE UNIQUE INDEX index_enterprises_on_permalink ON enterprises (permalink);
CREATE INDEX index_enterprises_on_sells ON enterprises (sells);

CREATE TABLE enterprise_roles (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES spree_users(id),
  enterprise_id integer NOT NULL REFERENCES enterprises(id),
  receives_notifications boolean DEFAULT false
);
CREATE UNIQUE INDEX index_enterprise_roles_on_enterprise_id_and_user_id ON enterprise_roles (enterprise_id, user_id);
CREATE INDEX index_enterprise_roles_on_enterprise_id ON enterprise_roles (enterprise_id);
CREATE UNIQUE INDEX index_enterprise_roles_on_user_id_and_enterprise_id ON enterprise_roles (user_id, enterprise_id);
CREATE INDEX index_enterprise_roles_on_user_id ON enterprise_roles (user_id);

CREATE TABLE enterprise_groups (
  id serial PRIMARY KEY,
  name varchar(255),
  on_front_page boolean,
  position integer,
  description text,
  long_description text,
  owner_id integer,
  address_id integer,
  email varchar(255) NOT NULL DEFAULT '',
  website varchar(255) NOT NULL DEFAULT '',
  permalink varchar NOT NULL
);
CREATE INDEX index_enterprise_groups_on_address_id ON enterprise_groups (address_id);
CREATE INDEX index_enterprise_groups_on_owner_id ON enterprise_groups (owner_id);
CREATE UNIQUE INDEX index_enterprise_groups_on_permalink ON enterprise_groups (permalink);

CREATE TABLE enterprise_groups_enterprises (
  enterprise_group_id integer REFERENCES enterprise_groups(id),
  enterprise_id integer REFERENCES enterprises(id)
);
CREATE INDEX index_enterprise_groups_enterprises_on_enterprise_group_id ON enterprise_groups_enterprises (enterprise_group_id);
CREATE INDEX index_enterprise_groups_enterprises_on_enterprise_id ON enterprise_groups_enterprises (enterprise_id);

CREATE TABLE order_cycles (
  id serial PRIMARY KEY,
  name varchar(255),
  orders_open_at timestamp without time zone,
  orders_close_at timestamp without time zone,
  coordinator_id integer NOT NULL REFERENCES enterprises(id),
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  processed_at timestamp without time zone,
  opened_at timestamp without time zone
);
CREATE INDEX index_order_cycles_on_orders_close_at ON order_cycles (orders_close_at);
CREATE INDEX index_order_cycles_on_orders_open_at ON order_cycles (orders_open_at);

CREATE TABLE customers (
  id serial PRIMARY KEY,
  email varchar(255) NOT NULL,
  enterprise_id integer NOT NULL REFERENCES enterprises(id),
  code varchar(255),
  user_id integer REFERENCES spree_users(id),
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  bill_address_id integer,
  ship_address_id integer,
  name varchar(255),
  allow_charges boolean NOT NULL DEFAULT false,
  first_name varchar NOT NULL DEFAULT '',
  last_name varchar NOT NULL DEFAULT '',
  created_manually boolean DEFAULT false
);
CREATE INDEX index_customers_on_bill_address_id ON customers (bill_address_id);
CREATE INDEX index_customers_on_created_manually ON customers (created_manually);
CREATE UNIQUE INDEX index_customers_on_email_and_enterprise_id ON customers (email, enterprise_id);
CREATE UNIQUE INDEX index_customers_on_enterprise_id_and_code ON customers (enterprise_id, code);
CREATE INDEX index_customers_on_ship_address_id ON customers (ship_address_id);
CREATE INDEX index_customers_on_user_id ON customers (user_id);

CREATE TABLE spree_orders (
  id serial PRIMARY KEY,
  number varchar(15),
  item_total numeric(10,2) NOT NULL DEFAULT 0.0,
  total numeric(10,2) NOT NULL DEFAULT 0.0,
  state varchar(255),
  adjustment_total numeric(10,2) NOT NULL DEFAULT 0.0,
  user_id integer REFERENCES spree_users(id),
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  completed_at timestamp without time zone,
  bill_address_id integer,
  ship_address_id integer,
  payment_total numeric(10,2) DEFAULT 0.0,
  shipment_state varchar(255),
  payment_state varchar(255),
  email varchar(255),
  special_instructions text,
  distributor_id integer REFERENCES enterprises(id),
  order_cycle_id integer REFERENCES order_cycles(id),
  currency varchar(255),
  last_ip_address varchar(255),
  customer_id integer REFERENCES customers(id),
  created_by_id integer,
  included_tax_total numeric(10,2) NOT NULL DEFAULT 0.0,
  additional_tax_total numeric(10,2) NOT NULL DEFAULT 0.0,
  note text NOT NULL DEFAULT ''
);
-- OFN's composite index ends in created_at, not state; `number` is indexed but not unique.
CREATE INDEX spree_orders_completed_at_user_id_created_by_id_created_at_idx ON spree_orders (completed_at, user_id, created_by_id, created_at);
CREATE INDEX index_spree_orders_on_customer_id ON spree_orders (customer_id);
CREATE INDEX index_spree_orders_on_distributor_id ON spree_orders (distributor_id);
CREATE INDEX index_orders_on_number ON spree_orders (number);
CREATE INDEX index_spree_orders_on_order_cycle_id ON spree_orders (order_cycle_id);
CREATE INDEX index_spree_orders_on_user_id ON spree_orders (user_id);

CREATE TABLE spree_line_items (
  id serial PRIMARY KEY,
  order_id integer REFERENCES spree_orders(id),
  variant_id integer NOT NULL,
  quantity integer NOT NULL,
  price numeric(10,2) NOT NULL,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  max_quantity integer,
  currency varchar(255),
  distribution_fee numeric(10,2),
  final_weight_volume numeric(10,2),
  tax_category_id integer,
  product_name varchar,
  variant_name varchar
);
CREATE INDEX index_line_items_on_order_id ON spree_line_items (order_id);
CREATE INDEX index_line_items_on_variant_id ON spree_line_items (variant_id);

CREATE TABLE versions (
  id serial PRIMARY KEY,
  item_type varchar(255) NOT NULL,
  item_id integer NOT NULL,
  event varchar(255) NOT NULL,
  whodunnit varchar(255),
  object text,
  created_at timestamp without time zone,
  custom_data varchar
);
CREATE INDEX index_versions_on_item_type_and_item_id ON versions (item_type, item_id);
