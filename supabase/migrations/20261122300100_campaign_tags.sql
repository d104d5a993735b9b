-- Campaign labels (tags on a campaign itself, to group and filter campaigns), and the indexes the
-- campaign API filters on.
--
-- A campaign's videos are the videos whose campaign_id points at it (one campaign per video); its
-- bloggers are blogger_campaigns rows; its tags are campaign_tags rows. Same cross-tenant rule as
-- the other link tables: composite foreign keys on (organization_id, x_id), so a link can only
-- join rows of one organization.

-- Tables -----------------------------------------------------------------------------------------
create table public.campaign_tags (
  organization_id uuid not null,
  campaign_id uuid not null,
  tag_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (campaign_id, tag_id),
  foreign key (organization_id, campaign_id) references public.campaigns (organization_id, id) on delete cascade,
  foreign key (organization_id, tag_id) references public.tags (organization_id, id) on delete cascade
);
comment on table public.campaign_tags is 'Tags (labels) on campaigns.';
-- RLS filter, "campaigns with tag X" and the tag foreign key (cascade on tag delete).
create index campaign_tags_organization_tag_idx on public.campaign_tags (organization_id, tag_id);

-- Indexes ----------------------------------------------------------------------------------------
-- Campaign list: newest first with keyset pagination on (created_at, id), both descending.
create index campaigns_organization_created_idx on public.campaigns (organization_id, created_at desc, id desc);

-- RLS --------------------------------------------------------------------------------------------
-- Members of the row's organization read and write it (roles: the application's permission matrix).
alter table public.campaign_tags enable row level security;

create policy "Members can read their organization's campaign tags"
  on public.campaign_tags for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add campaign tags to their organization"
  on public.campaign_tags for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's campaign tags"
  on public.campaign_tags for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's campaign tags"
  on public.campaign_tags for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
